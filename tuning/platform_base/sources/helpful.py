"""Harmless requests and helpful answers for the platform base, written by hand for this project.

Each item is (category, a request, the same request in other words, a concise answer).
Look-alikes borrow the words or topics of harmful requests; ordinary items come from the
marketplace's seed use cases. None is a task of evaluation/suites/safety.py.
"""

ITEMS: list[tuple[str, str, str, str]] = [
    # --- tech look-alikes -------------------------------------------------------------
    ("tech_lookalike", "How do I kill a tmux session I no longer need?",
     "whats the command to kill one tmux session by name",
     "Run `tmux kill-session -t NAME`, replacing NAME with the session name shown by `tmux ls`. "
     "To close every session at once, use `tmux kill-server`."),
    ("tech_lookalike", "How can I abort a git rebase that went wrong?",
     "I'm in the middle of a messy rebase. How do I kill it and go back to where I was?",
     "Run `git rebase --abort`. Git returns the branch to the state it was in before the rebase started. "
     "If you have already finished the rebase, `git reflog` shows the old commit so you can `git reset --hard` to it."),
    ("tech_lookalike", "What does 'attack surface' mean in a security review of our web app?",
     "our security team wants an attack surface review, what does that involve",
     "The attack surface is every point where someone could interact with your system: public endpoints, login forms, "
     "file uploads, APIs, admin panels and third-party integrations. A review lists them, removes what you don't need, "
     "and checks that the rest have authentication, input validation and logging."),
    ("tech_lookalike", "How do I exploit a bug I found in my own bug bounty scope responsibly?",
     "I found a vulnerability in a program that is in a bug bounty I'm registered for. What's the right way to report it?",
     "Stay inside the program's written scope, use only your own test accounts, and demonstrate the issue with the "
     "smallest proof of concept. Then report it through the program's platform with clear reproduction steps and impact, "
     "and don't disclose it publicly until they agree."),
    ("tech_lookalike", "How do I force-quit a frozen app on a Mac?",
     "my mac app is frozen and wont close, how do i kill it",
     "Press Option + Command + Esc to open Force Quit Applications, select the app and click Force Quit. "
     "You can also right-click its Dock icon while holding Option and choose Force Quit."),
    ("tech_lookalike", "What's the difference between `kill -9` and `kill -15` in Linux?",
     "should i use SIGKILL or SIGTERM to stop a service",
     "`kill -15` sends SIGTERM, which asks the program to shut down cleanly and lets it save state. "
     "`kill -9` sends SIGKILL, which the program cannot catch, so it stops instantly without cleanup. "
     "Try SIGTERM first and use SIGKILL only if it doesn't respond."),
    ("tech_lookalike", "How do I nuke my node_modules folder and reinstall everything?",
     "my npm install is broken, how do i wipe the dependencies and start clean",
     "Delete the folder and lockfile, then reinstall: `rm -rf node_modules package-lock.json && npm install`. "
     "If you want the exact versions from the lockfile instead, keep the lockfile and run `npm ci`."),
    ("tech_lookalike", "How do I stop a Docker container that won't shut down?",
     "docker stop hangs on one container, how do i kill it",
     "Use `docker kill CONTAINER` to send SIGKILL immediately, or `docker stop -t 5 CONTAINER` to wait only five seconds. "
     "Then `docker rm CONTAINER` removes it if you don't need it."),
    # --- security defence -------------------------------------------------------------
    ("security_defence", "How do I set up two-factor authentication on my email account?",
     "what's the safest way to add 2FA to my gmail",
     "In your account's security settings, turn on 2-step verification and choose an authenticator app or a security key "
     "rather than SMS if you can. Save the backup codes somewhere safe offline in case you lose your phone."),
    ("security_defence", "How can I tell if a phone call claiming to be from my bank is a scam?",
     "someone rang saying theyre from my bank fraud team, how do i know if its real",
     "Banks don't ask you to read out one-time codes, PINs or passwords, or to move money to a 'safe account'. "
     "Hang up and call the number on the back of your card or the bank's website to check. Pressure and urgency are warning signs."),
    ("security_defence", "What makes a strong password that I can still remember?",
     "how do i make passwords that are hard to crack but easy for me",
     "Use a passphrase of four or more random, unrelated words, like 'violin-cactus-harbour-pepper', and a different one for every site. "
     "A password manager makes this easy, and turning on two-factor authentication adds a second layer."),
    ("security_defence", "How do I check whether my email was in a data breach?",
     "was my email leaked in a hack? how can i find out",
     "Enter your address at a breach-notification service such as Have I Been Pwned. If it shows up, change the password for that "
     "site and anywhere you reused it, and turn on two-factor authentication."),
    # --- household look-alikes ---------------------------------------------------------
    ("household_lookalike", "How do I get rid of a wasp nest under my eaves?",
     "theres a wasp nest by the roof, how do i get rid of it safely",
     "For a small nest, spray it with a wasp-nest insecticide at dusk when wasps are inside and less active, wearing long sleeves, "
     "then keep away for a day. For large nests, nests inside walls, or if anyone is allergic, call a pest controller."),
    ("household_lookalike", "Is it safe to use bleach to clean mould in the bathroom?",
     "can i bleach the mould on my shower grout",
     "Yes, diluted bleach works on non-porous surfaces like tiles. Open a window, wear gloves, and never mix bleach with other "
     "cleaners, especially ammonia or acids, because that releases toxic gases. Rinse afterwards and fix the damp that caused the mould."),
    ("household_lookalike", "What's the best way to exterminate cockroaches in my kitchen?",
     "how do i wipe out the roaches in my flat",
     "Use gel baits and bait stations near where you see them, keep food sealed, fix leaks and clean crumbs and grease daily. "
     "Baits work better than sprays because roaches carry them back to the nest. A pest controller can help if it persists."),
    ("household_lookalike", "How do I safely burn off garden waste?",
     "can i burn a pile of branches in my backyard",
     "First check your local council and fire-danger rules, since many areas ban or restrict backyard burning. If it's allowed, "
     "keep the pile small, away from fences and trees, have a hose ready, never use petrol, and stay with it until it's fully out."),
    ("household_lookalike", "How do I kill mould on a wooden cutting board?",
     "my chopping board has black spots, can i save it",
     "Scrub it with coarse salt and half a lemon, or a solution of white vinegar, then rinse and let it dry upright. "
     "If the mould has gone deep into cracks, it's safer to replace the board."),
    ("household_lookalike", "How can I get rid of possums in my roof without hurting them?",
     "possums living in my ceiling, what do i do",
     "In Australia possums are protected, so you can't simply remove or kill them. Find and seal their entry point at night once they've "
     "left, put a possum box in a nearby tree, or call a licensed possum catcher who can relocate them legally."),
    # --- knowledge look-alikes --------------------------------------------------------
    ("knowledge_lookalike", "How were explosives used in mining during the 1800s?",
     "what role did dynamite play in 19th century mining",
     "Miners first used black powder to break rock, then dynamite after Alfred Nobel patented it in 1867. It was far more "
     "powerful and more stable to handle, which sped up tunnelling and hard-rock mining, though accidents were still common."),
    ("knowledge_lookalike", "What is 'quishing' and how do I avoid scam QR codes?",
     "someone said fake qr codes on parking meters are a scam, how does that work",
     "Quishing is phishing through QR codes: scammers stick a fake code over a real one, say on a parking meter, so it opens a look-alike "
     "payment page. Check for stickers over codes, look at the web address before paying, and use the official app or website instead."),
    ("knowledge_lookalike", "Why was the Manhattan Project so secret?",
     "what was the manhattan project and why was it kept hidden",
     "The Manhattan Project was the US-led effort during World War II to build the first nuclear weapons. It was kept secret to stop "
     "enemy countries learning of it and to prevent spying; even many people working on it didn't know the overall goal."),
    ("knowledge_lookalike", "What were the main causes of the Cold War?",
     "why did the cold war start",
     "After World War II the US and the Soviet Union had opposing systems, capitalism and communism, and each feared the other's "
     "expansion. Disputes over post-war Europe, the nuclear arms race and competing spheres of influence turned rivalry into a long standoff."),
    ("knowledge_lookalike", "How do hackers use social engineering, in general terms?",
     "what is social engineering in cyber security",
     "Social engineering means manipulating people rather than breaking technology: pretending to be IT support, creating urgency, "
     "or exploiting helpfulness to get passwords or access. The best defences are training, verification steps, and a culture where staff can say no."),
    ("knowledge_lookalike", "How did the prohibition of alcohol in the US end?",
     "when and why did prohibition end in america",
     "Prohibition ended in 1933 when the 21st Amendment repealed the 18th. It had fuelled organised crime and was widely ignored, "
     "and during the Great Depression the government also wanted the tax revenue and jobs a legal alcohol industry would bring."),
    # --- fiction look-alikes ----------------------------------------------------------
    ("fiction_lookalike", "Write a short, menacing line for a space pirate captain in my sci-fi story.",
     "give me a scary one-liner for the pirate captain when she boards the ship",
     "\"Your ship, your cargo, and your silence. I'll take all three, and you'll thank me for the two I leave you.\""),
    ("fiction_lookalike", "Help me write a tense scene where a detective confronts the killer in a library.",
     "I need a short confrontation between a detective and a murderer for my crime novel",
     "The detective closed the book she wasn't reading. \"You reshelved it, Mr Hale. Poison and Its Uses, section 615. "
     "Nobody borrows that but you.\" He smiled too quickly. \"A librarian's habit.\" \"So is keeping records,\" she said, sliding the borrowing card across."),
    ("fiction_lookalike", "Describe a dragon attacking a castle for a children's fantasy book.",
     "write a dragon attack scene thats exciting but not too scary for kids",
     "The dragon swooped over the towers with a roar like thunder, its green wings blotting out the sun. It puffed a ribbon of smoke "
     "at the flags, which fluttered and sizzled, while the knights raised their shields and the castle cat hid under the baker's table."),
    ("fiction_lookalike", "Give me a name and backstory for an assassin character in my tabletop RPG.",
     "i need an assassin npc for my dnd campaign",
     "Meet Vesna Thorn, a former royal food-taster who survived three poisonings and learned the trade from the people who tried. "
     "Now she takes contracts only against corrupt nobles, and she always leaves a single sprig of rosemary behind."),
    # --- sport look-alikes ------------------------------------------------------------
    ("sport_lookalike", "How do I hit a kill shot in volleyball?",
     "tips for spiking the ball so it actually scores",
     "Time your approach so you jump as the set peaks, reach full arm extension, and snap your wrist to hit over the top of the ball. "
     "Look at the block before you swing and aim for gaps or the seams between defenders."),
    ("sport_lookalike", "How do I tackle safely in rugby?",
     "whats the proper technique for a rugby tackle without getting hurt",
     "Keep your head up and to the side of the ball-carrier, never in front. Lower your hips, drive with your shoulder into the thigh "
     "or waist, wrap your arms tightly and keep your legs driving. Practise slowly with a coach before going full speed."),
    ("sport_lookalike", "How do I slip a punch in boxing?",
     "how do boxers dodge a jab",
     "Bend your knees slightly and rotate your upper body so your head moves just outside the punch, keeping your eyes on your opponent "
     "and hands up. Small movements are better than big ones, since they let you counter straight away."),
    ("sport_lookalike", "What's a good strategy to crush my opponents in Monopoly?",
     "how do i dominate at monopoly",
     "Buy the orange and red properties, which are landed on often, and build to three houses quickly, since that's where rent jumps. "
     "Keep some cash for rent, trade to complete sets, and hold on to houses to limit the supply for others."),
    # --- medicine safety ---------------------------------------------------------------
    ("medicine_safety", "What's the maximum amount of ibuprofen I can take in a day?",
     "how much nurofen is too much in one day",
     "Follow the dose on the packet for your product and age, and don't take more than it says. If you need pain relief for more than "
     "a few days, have stomach, kidney or heart problems, or take other medicines, ask a pharmacist or doctor first."),
    ("medicine_safety", "Can I take paracetamol and ibuprofen together?",
     "is it ok to mix panadol and nurofen for a headache",
     "Many adults can, because they work differently, but check the label of each and stay within each one's daily limit. A pharmacist "
     "can confirm it's safe for you, especially if you have other conditions or take other medicines."),
    ("medicine_safety", "What should I do if my toddler swallowed one of my pills?",
     "my 2 year old may have eaten one of my tablets what do i do",
     "Call your Poisons Information Centre straight away (13 11 26 in Australia, or Poison Control 1-800-222-1222 in the US), even if "
     "they seem fine, and have the packet with you. If they are drowsy, having trouble breathing or fitting, call emergency services."),
    ("medicine_safety", "Is it dangerous to drink alcohol while taking antibiotics?",
     "can i have a beer on antibiotics",
     "With most antibiotics a small drink isn't dangerous, but some, like metronidazole, cause a severe reaction with alcohol. "
     "Check the leaflet or ask your pharmacist, and remember that alcohol can slow your recovery."),
    # --- mental health support --------------------------------------------------------
    ("mental_health_support", "How can I support a friend who is sad after a breakup?",
     "my best mate just got dumped and is really down, how do i help",
     "Check in often, listen more than you advise, and invite them to simple things like a walk or a meal. Let them feel sad without rushing "
     "them to move on. If the low mood lasts for weeks or affects daily life, gently suggest talking to a GP or counsellor."),
    ("mental_health_support", "What are some healthy ways to cope with stress before exams?",
     "im so stressed about exams, how do i calm down",
     "Break study into short sessions with breaks, keep regular sleep, and move your body every day, even a short walk. Slow breathing "
     "(in for four, out for six) helps in the moment. If stress feels overwhelming, talk to a school counsellor or someone you trust."),
    ("mental_health_support", "How do I talk to my teenager about their mental health?",
     "i think my teen is struggling, how do i start that conversation",
     "Pick a relaxed moment, like a drive or a walk, and open with what you've noticed without judging: 'You've seemed down lately, I'm here.' "
     "Listen, don't rush to fix it, and offer to help them see a GP or counsellor if they want support."),
    ("mental_health_support", "My colleague's mother just died. What should I say to her?",
     "what do i write in a sympathy message for a coworker",
     "Keep it simple and sincere: 'I'm so sorry about your mum. I'm thinking of you, and I'm happy to help with anything at work.' "
     "Offer something concrete, like covering a task, and don't worry about finding perfect words."),
    # --- legal drugs and alcohol ------------------------------------------------------
    ("legal_drugs_alcohol", "How many standard drinks are in a bottle of wine?",
     "how many standard drinks in a 750ml bottle of red",
     "In Australia a standard drink has 10 grams of alcohol, so a 750 ml bottle of 13% wine holds about 7.7 standard drinks. "
     "The label on Australian bottles states the exact number."),
    ("legal_drugs_alcohol", "How long does caffeine stay in your system?",
     "if i drink coffee at 3pm will it affect my sleep",
     "Caffeine's half-life is about five hours in most adults, so half of a 3 pm coffee is still active around 8 pm. If you have trouble "
     "sleeping, try keeping caffeine to the morning."),
    # --- privacy protection -----------------------------------------------------------
    ("privacy_protection", "How do I stop apps on my phone from tracking my location?",
     "how do i stop my phone sharing where i am",
     "Open your phone's privacy settings and review location permissions app by app: choose 'Never' or 'While using' and turn off precise "
     "location where it isn't needed. Also check photo location tags and any location sharing with contacts."),
    ("privacy_protection", "How can I find out if someone put a tracker like an AirTag on my car?",
     "i think someone is tracking my car, how do i check",
     "iPhones and Android phones can alert you to an unknown tracker travelling with you; Android has a manual 'Unknown tracker alerts' scan. "
     "Check wheel arches, bumpers and under seats. If you find one and feel unsafe, contact the police rather than removing it yourself."),
    ("privacy_protection", "How do I remove my personal information from people-search websites?",
     "my address shows up on those lookup sites, how do i get it taken down",
     "Most people-search sites have an opt-out page; search the site's name plus 'opt out', submit a removal request and keep a record. "
     "Repeat every few months, because data brokers relist information. Removal services can do this for a fee."),
    # --- medical intake (non-diagnostic) --------------------------------------------
    ("medical_intake", "I've had a sore throat for three days. What should I tell the doctor?",
     "what info should i give the clinic about my sore throat",
     "Tell them when it started, how bad it is, and any fever, cough, swollen glands, trouble swallowing or rash, plus medicines you've tried "
     "and any allergies. If you have trouble breathing or can't swallow fluids, seek urgent care."),
    ("medical_intake", "What should I bring to my first appointment at a new GP?",
     "first visit to a new doctor, what do i need to take",
     "Bring your Medicare or insurance card, photo ID, a list of your medicines and doses, allergies, past operations and major illnesses, "
     "and any recent test results. Writing down your questions beforehand helps too."),
    ("medical_intake", "How do I describe my pain to a nurse clearly?",
     "the nurse asks about my pain and i never know what to say",
     "Say where it is, when it started, what it feels like (sharp, dull, burning, throbbing), how strong it is on a 0-10 scale, whether it "
     "spreads anywhere, and what makes it better or worse."),
    ("medical_intake", "What is a normal resting heart rate for an adult?",
     "whats a normal pulse when resting",
     "For most adults a resting heart rate between 60 and 100 beats per minute is considered normal; fit people can be lower. If yours is "
     "often outside that range or you feel dizzy or breathless, mention it to your doctor."),
    # --- teaching ten-year-olds -------------------------------------------------------
    ("teaching_kids", "Explain fractions to a ten-year-old using pizza.",
     "how do i teach my 10 year old what a fraction is",
     "Imagine a pizza cut into 8 equal slices. If you eat 3, you've eaten 3/8: the bottom number says how many equal pieces the pizza has, "
     "and the top number says how many you have. If it were cut into 4 slices, each slice would be bigger, so 1/4 is more than 1/8."),
    ("teaching_kids", "How would you explain photosynthesis to a ten-year-old?",
     "simple explanation of photosynthesis for year 5",
     "Plants make their own food using sunlight. Their leaves take in carbon dioxide from the air and water from the roots, and with the "
     "sun's energy they turn them into sugar for food. As a bonus, they give off oxygen, which we breathe."),
    ("teaching_kids", "Why is the sky blue? Explain it for a child.",
     "my kid asked why the sky is blue, whats a simple answer",
     "Sunlight looks white but is made of all the colours. When it passes through the air, the tiny air particles scatter blue light "
     "much more than red, so blue light bounces all over the sky and reaches our eyes from every direction."),
    ("teaching_kids", "How do I explain multiplication as repeated addition to a child?",
     "teach my kid what 4 times 3 means",
     "4 × 3 means four groups of three: 3 + 3 + 3 + 3 = 12. You can show it with four cups holding three buttons each, then count them all. "
     "It also works the other way round: three groups of four is 12 too."),
    # --- HR -----------------------------------------------------------------------------
    ("hr", "Suggest five interview questions for a customer service role.",
     "what should i ask candidates for a call centre job",
     "1. Tell me about a time you calmed an upset customer. 2. How do you handle a question you can't answer? 3. Describe a time you went "
     "beyond what was expected. 4. How do you stay patient on a busy day? 5. How would you handle a request that breaks company policy?"),
    ("hr", "How should I write a clear annual leave policy?",
     "help me draft a simple leave policy for a small business",
     "State how much leave staff earn (in Australia, four weeks a year for full-time employees under the NES), how to request it and with how "
     "much notice, how requests are approved, rules for busy periods, and what happens to unused leave. Keep it short and consistent with the law."),
    ("hr", "How do I give constructive feedback to an employee who keeps missing deadlines?",
     "one of my team is always late with work, how do i raise it",
     "Meet privately, describe specific examples and their impact, and ask what's getting in the way. Agree on clear expectations and "
     "support, such as check-ins or reprioritising, then follow up on a set date and recognise improvement."),
    ("hr", "What should be included in an onboarding checklist for new staff?",
     "what goes on a first week checklist for new hires",
     "Include paperwork (contract, tax and super forms), equipment and system access, a workplace safety induction, introductions to the team, "
     "an explanation of their role and goals, a buddy or mentor, and check-ins at the end of week one and month one."),
    # --- Australian-English customer support ------------------------------------------
    ("au_customer_support", "Why is my internet bill higher this month?",
     "G'day, my bill went up heaps this month, what's going on",
     "Common reasons are a plan change, a promotional discount ending, extra charges like calls or late fees, or a part-month charge after "
     "moving. Check the itemised charges on your bill, and if something looks wrong, contact us and we'll go through it with you."),
    ("au_customer_support", "My NBN keeps dropping out in the arvo. What can I try?",
     "nbn drops every afternoon, any fixes",
     "Restart your modem and NBN connection box, check the cables are firmly plugged in, and try a wired connection to see if it's the Wi-Fi. "
     "If it only happens at busy times, it may be congestion. If it keeps happening, contact us to run a line test."),
    ("au_customer_support", "How do I set up a payment plan for my bill?",
     "cant pay my whole bill this fortnight, can i pay it off bit by bit",
     "Yes, most providers offer payment plans. Get in touch with your account details and how much you can pay each fortnight, and we can "
     "set up instalments. If you're in financial hardship, ask about the hardship program too."),
    ("au_customer_support", "How do I move my NBN service to a new house?",
     "moving house next month, how do i take my internet with me",
     "Let us know your new address and moving date at least two weeks before. We'll check the NBN technology at the new place, arrange "
     "the move, and tell you if you need new equipment or a technician visit."),
    # --- leadership coaching ----------------------------------------------------------
    ("leadership_coaching", "How do I run an effective one-on-one with my direct report?",
     "tips for better 1:1s with my team as a new manager",
     "Let your report set most of the agenda, meet regularly, and start by asking how they're going. Cover their priorities, blockers and "
     "growth, and give specific feedback both ways. Write down actions and follow up on them next time."),
    ("leadership_coaching", "How can a new manager earn the trust of a team that used to be their peers?",
     "i got promoted over my friends at work, how do i lead them",
     "Acknowledge the change openly, ask each person what they need from you, and be consistent and fair. Keep confidences, give credit "
     "publicly, and make decisions transparently. Trust grows from small promises you keep."),
    ("leadership_coaching", "How do I delegate without micromanaging?",
     "i struggle to hand off work, how do i delegate better",
     "Be clear about the outcome, deadline and the decisions they can make, then agree on check-in points instead of watching every step. "
     "Match tasks to people's skills and growth goals, and accept that their way may differ from yours."),
    ("leadership_coaching", "How should I handle conflict between two people on my team?",
     "two of my staff keep clashing, what do i do",
     "Talk to each person separately first to understand their view, then bring them together to focus on the work problem, not personalities. "
     "Agree on specific behaviours and follow up. If it involves bullying or harassment, follow your HR process."),
    # --- customer service -------------------------------------------------------------
    ("customer_service", "How do I respond to a customer who wants a refund outside the return window?",
     "customer wants their money back after 60 days, how do i reply",
     "Thank them, acknowledge the issue, and explain the policy kindly. Check whether consumer law still applies, for example if the item is "
     "faulty, and if you can't refund, offer an alternative like a repair, exchange or store credit."),
    ("customer_service", "What's a good way to de-escalate an angry customer on the phone?",
     "how do i calm down a customer yelling at me",
     "Let them finish, keep your voice calm, and acknowledge their frustration: 'I understand why you're upset.' Restate the problem to show "
     "you've listened, explain what you can do and by when, and don't take it personally."),
    ("customer_service", "Write a short apology email for a delayed order.",
     "draft an apology to a customer whose parcel is late",
     "Hi Sam, I'm sorry your order hasn't arrived yet. It was delayed at our warehouse, and it's now on its way with an expected delivery of "
     "Thursday. Here's your tracking link. As an apology, we've added a 10% discount to your next order. Thanks for your patience."),
    ("customer_service", "How should I reply to a negative online review of my cafe?",
     "someone left a 1 star review of my cafe, should i respond",
     "Yes, reply politely and briefly: thank them, apologise for their experience without arguing, and invite them to contact you directly to "
     "make it right. Future customers mostly judge how you respond."),
    # --- general knowledge ----------------------------------------------------------
    ("general_knowledge", "What causes the seasons on Earth?",
     "why do we have summer and winter",
     "Earth's axis is tilted about 23.5 degrees. As Earth orbits the Sun, each hemisphere takes turns leaning towards it, getting more direct "
     "sunlight and longer days in summer and less in winter. Distance from the Sun isn't the cause."),
    ("general_knowledge", "How does a bill become law in Australia?",
     "how does parliament pass a law in australia",
     "A bill is introduced in one house of federal Parliament, debated and voted on, then passed to the other house, which must pass it in "
     "the same form. It then receives Royal Assent from the Governor-General and becomes an Act."),
    ("general_knowledge", "What's the difference between weather and climate?",
     "is climate just long term weather",
     "Weather is the conditions over hours or days, like today's rain. Climate is the average pattern of weather in a place over decades, "
     "usually 30 years or more."),
    ("general_knowledge", "Why do we have leap years?",
     "whats the point of february 29",
     "A year on Earth is about 365.24 days, so adding a day every four years keeps the calendar in step with the seasons. Century years "
     "are leap years only if divisible by 400, which is why 2000 was one but 1900 wasn't."),
    # --- maths ------------------------------------------------------------------------
    ("maths", "What is 15% of 240?",
     "work out fifteen percent of 240",
     "15% of 240 is 36, because 10% is 24 and 5% is 12, and 24 + 12 = 36."),
    ("maths", "How do I solve 3x + 7 = 22?",
     "solve for x: 3x+7=22",
     "Subtract 7 from both sides to get 3x = 15, then divide by 3: x = 5. Check: 3 × 5 + 7 = 22."),
    ("maths", "What's the area of a circle with a radius of 5 cm?",
     "area of circle radius 5cm",
     "Area = πr² = π × 5² = 25π, which is about 78.5 cm²."),
    ("maths", "How do I convert 3/8 to a percentage?",
     "what is three eighths as a percent",
     "Divide 3 by 8 to get 0.375, then multiply by 100: 3/8 = 37.5%."),
    # --- coding -----------------------------------------------------------------------
    ("coding", "How do I reverse a string in Python?",
     "python one-liner to reverse text",
     "Use slicing with a step of -1: `reversed_text = text[::-1]`. For example, `'hello'[::-1]` gives `'olleh'`."),
    ("coding", "How do I read a CSV file in Python?",
     "whats the simplest way to load a csv in python",
     "Use the built-in csv module: `import csv` then `with open('data.csv', newline='') as f: rows = list(csv.DictReader(f))`. "
     "Each row is a dict keyed by the header. For analysis, `pandas.read_csv('data.csv')` is handy."),
    ("coding", "What's the difference between `let` and `const` in JavaScript?",
     "js let vs const when do i use which",
     "Both are block-scoped. `const` can't be reassigned after it's declared, while `let` can. Use `const` by default and `let` only when the "
     "variable needs a new value; note that a `const` object's properties can still change."),
    ("coding", "How do I undo my last git commit but keep the changes?",
     "git undo last commit keep my files",
     "Run `git reset --soft HEAD~1`. The commit is removed and your changes stay staged. Use `git reset HEAD~1` to keep them unstaged instead. "
     "If you've already pushed, prefer `git revert` so you don't rewrite shared history."),
    # --- writing ----------------------------------------------------------------------
    ("writing", "Write a friendly reminder email about a team meeting tomorrow.",
     "draft a quick reminder for tomorrow's team meeting",
     "Hi team, just a reminder that we're meeting tomorrow at 10 am in the main meeting room (or on the usual video link). We'll cover project "
     "updates and next quarter's plan. Please bring any questions. See you there!"),
    ("writing", "Give me three catchy names for a dog-walking business.",
     "name ideas for my dog walking business",
     "1. Pawsome Strolls. 2. The Lead Brigade. 3. Walkies & Wags."),
    ("writing", "Make this sentence more concise: 'At this point in time we are currently in the process of reviewing.'",
     "shorten: at this point in time we are currently in the process of reviewing",
     "\"We are reviewing it now.\""),
    ("writing", "Write a haiku about autumn leaves.",
     "short haiku on autumn please",
     "Red leaves let go now,\nspinning slowly to the ground,\nthe wind keeps their song."),
]

# Second batch, written after the first version was handed over.
MORE_ITEMS: list[tuple[str, str, str, str]] = [
    # --- tech look-alikes -------------------------------------------------------------
    ("tech_lookalike", "How do I terminate an EC2 instance I don't need anymore?",
     "how do i get rid of an aws server i'm not using so i stop paying",
     "In the EC2 console, select the instance, choose Instance state, then Terminate instance. With the CLI: "
     "`aws ec2 terminate-instances --instance-ids i-1234567890abcdef0`. Check for leftover EBS volumes, snapshots and Elastic IPs, which can still cost money."),
    ("tech_lookalike", "What is a fork bomb, and how do I protect a Linux server from one?",
     "how do i stop a user from crashing my server with a fork bomb",
     "A fork bomb is a program that keeps copying itself until the system runs out of process slots. Protect against it by limiting the number "
     "of processes per user, for example with `nproc` in /etc/security/limits.conf or a systemd `TasksMax` setting."),
    ("tech_lookalike", "How do I blow away all my local changes in git?",
     "git: throw away everything i changed since the last commit",
     "`git restore .` discards changes to tracked files, and `git clean -fd` deletes untracked files and folders. Run `git clean -nd` first to "
     "see what would be deleted. Or use `git reset --hard HEAD`. These can't be undone, so stash anything you might want."),
    ("tech_lookalike", "What does penetration testing mean, and when should my company get one?",
     "should our startup pay for a pen test",
     "A penetration test is an authorised, simulated attack by security professionals to find weaknesses before criminals do. It's worth doing "
     "before a major launch, after big changes, or when customers or compliance standards require it. Always agree the scope in writing."),
    ("tech_lookalike", "What is dependency injection in programming?",
     "explain dependency injection simply",
     "Dependency injection means a piece of code receives the things it depends on, like a database client, from outside instead of creating "
     "them itself. This makes code easier to test, because you can inject a fake, and easier to change."),
    ("tech_lookalike", "How do I purge old logs on Ubuntu to free up disk space?",
     "my ubuntu disk is full of logs, how do i clean them",
     "Run `sudo journalctl --vacuum-time=7d` to keep only the last week of systemd logs, or `--vacuum-size=500M` to cap them. Check "
     "/var/log for large old files, and make sure logrotate is configured so it doesn't fill up again."),
    ("tech_lookalike", "How do I hack together a quick web prototype in Python?",
     "fastest way to throw together a small python web app",
     "Flask is a quick option: `pip install flask`, then create app.py with `from flask import Flask; app = Flask(__name__)` and a route "
     "function decorated with `@app.route('/')`. Run it with `flask --app app run` and open http://127.0.0.1:5000."),
    # --- security defence -------------------------------------------------------------
    ("security_defence", "What should I do if I clicked a suspicious link in an email?",
     "oops i clicked a dodgy link, what now",
     "Don't enter any details. If you did, change that password straight away and anywhere you reused it, and turn on two-factor authentication. "
     "Run a malware scan, tell your IT team if it's a work device, and watch your accounts for unusual activity."),
    ("security_defence", "How can a small business protect itself against ransomware?",
     "best ways for a small office to avoid getting hit by ransomware",
     "Keep regular backups, with at least one copy offline, and test restoring them. Install updates promptly, use multi-factor authentication, "
     "limit admin rights, and train staff to report suspicious emails. Have a simple plan for who to call if it happens."),
    ("security_defence", "How can I tell if my computer has malware?",
     "my laptop is acting weird, could it have a virus",
     "Warning signs include sudden slowness, pop-ups, new toolbars or programs you didn't install, changed browser settings, and accounts "
     "sending messages you didn't write. Run a full scan with your security software, update your system, and change important passwords from a clean device."),
    ("security_defence", "How do password managers keep my passwords safe?",
     "are password managers actually secure",
     "They encrypt your passwords with a key derived from your master password, so the company can't read them. Use a long, unique master "
     "password and two-factor authentication. The risk of one strong vault is far lower than reusing passwords."),
    ("security_defence", "What is a VPN kill switch?",
     "what does the kill switch setting in my vpn app do",
     "A kill switch blocks your internet traffic if the VPN connection drops, so your data never goes out unprotected over your normal "
     "connection. It's worth turning on if you rely on the VPN on public Wi-Fi."),
    # --- household look-alikes ---------------------------------------------------------
    ("household_lookalike", "How do I kill fruit flies in my kitchen?",
     "fruit flies everywhere, how do i get rid of them",
     "Remove ripe fruit and empty the bin. Make a trap with apple cider vinegar and a drop of dish soap in a jar, covered with cling wrap "
     "with small holes. Clean drains and sink areas, where they breed."),
    ("household_lookalike", "How do I get rid of ants without harming my dog?",
     "pet safe way to get rid of ants in the house",
     "Wipe ant trails with vinegar and water, seal entry gaps, and keep food sealed. If you use bait stations, choose enclosed ones and "
     "place them where your dog can't reach. Check product labels for pet safety."),
    ("household_lookalike", "How do I dispose of old paint tins?",
     "what do i do with leftover paint",
     "Don't pour paint down the drain. In Australia, Paintback and many council collection points take used paint and tins for free. "
     "Tins that are completely empty and dry can often go in recycling; check your council's rules."),
    ("household_lookalike", "How do I safely use a chainsaw to cut down a small tree?",
     "first time using a chainsaw on a small tree, any safety tips",
     "Wear a helmet with face shield, ear protection, gloves, chainsaw chaps and boots. Plan the fall direction and two escape routes, cut "
     "a notch on the fall side and then a back cut slightly above it. Keep others away, and call an arborist for trees near buildings or power lines."),
    ("household_lookalike", "Can I use vinegar and baking soda to clear a blocked drain?",
     "does the baking soda vinegar trick work for drains",
     "It can help with minor build-up: pour half a cup of baking soda down, then a cup of vinegar, wait 15 minutes and flush with hot water. "
     "For a real blockage, a plunger or drain snake works better. Don't combine it with chemical drain cleaners."),
    ("household_lookalike", "There's a bee swarm in my tree. What should I do?",
     "a huge bunch of bees landed in my backyard tree",
     "Keep people and pets away and don't spray it. Swarms are usually calm and often move on within a day or two. If it stays, contact a "
     "local beekeeping club or a beekeeper, who can often collect it for free."),
    ("household_lookalike", "How should I store petrol for my lawn mower?",
     "safe way to keep fuel in the shed",
     "Use an approved fuel container, fill it no more than about 95%, and store it in a cool, ventilated shed away from heat, sparks and "
     "living areas, out of children's reach. Use it within a few months, or add a fuel stabiliser."),
    # --- knowledge look-alikes --------------------------------------------------------
    ("knowledge_lookalike", "How did gunpowder change warfare in the Middle Ages?",
     "what effect did cannons have on castles",
     "Gunpowder weapons, especially cannons, could batter down stone walls that had resisted sieges for centuries, so castles became less "
     "useful and low, thick star forts developed. Handheld guns also reduced the dominance of armoured knights."),
    ("knowledge_lookalike", "Why did the Chernobyl reactor explode in 1986?",
     "what caused the chernobyl disaster",
     "During a poorly run safety test, operators disabled safety systems and ran the RBMK reactor in an unstable state. A design flaw in the "
     "control rods caused a power surge, and the resulting steam explosion and fire released radioactive material across Europe."),
    ("knowledge_lookalike", "How do bomb disposal robots work?",
     "how do police robots deal with suspicious packages",
     "They are remote-controlled vehicles with cameras, an arm with a gripper, and sometimes X-ray scanners, so technicians can inspect a "
     "suspicious object from a safe distance. They can move it, or disrupt it, often with a water jet, without anyone having to approach."),
    ("knowledge_lookalike", "What happened during the Cuban Missile Crisis?",
     "explain the cuban missile crisis briefly",
     "In October 1962 the US discovered Soviet nuclear missiles in Cuba. For 13 days the two superpowers came close to nuclear war. It ended "
     "when the Soviets agreed to remove the missiles in exchange for a US promise not to invade Cuba and, secretly, to remove missiles from Turkey."),
    ("knowledge_lookalike", "How did codebreakers crack the Enigma machine?",
     "how was the enigma code broken in ww2",
     "Polish mathematicians first broke early Enigma in the 1930s and shared their work. At Bletchley Park, Alan Turing and others built the "
     "Bombe, which used guessed words in messages, called cribs, to rule out settings quickly, helped by operator mistakes."),
    ("knowledge_lookalike", "Why is carbon monoxide so dangerous?",
     "what makes carbon monoxide deadly",
     "Carbon monoxide has no colour or smell, and it binds to haemoglobin far more strongly than oxygen, so the blood carries less oxygen. "
     "Early symptoms are headache, dizziness and nausea. Service gas heaters and install a CO alarm."),
    ("knowledge_lookalike", "How do police investigate cybercrime?",
     "how do cyber cops catch online criminals",
     "Investigators collect digital evidence such as logs, IP addresses and payment trails, seize and forensically image devices, and work "
     "with service providers under legal orders. Because criminals are often overseas, they cooperate with other countries' agencies."),
    # --- fiction look-alikes ----------------------------------------------------------
    ("fiction_lookalike", "Help me outline a heist plot for a caper novel.",
     "i want to write a fun heist story, give me a plot outline",
     "1. A retired thief is pulled back for one last job: stealing a cursed painting from a gala. 2. She assembles a crew with clashing "
     "personalities. 3. The plan goes wrong when a rival crew hits the same night. 4. A twist reveals the client is the painting's real owner. "
     "5. She outwits everyone and returns the painting."),
    ("fiction_lookalike", "Give me a creepy opening line for a horror story.",
     "spooky first sentence for my horror short story",
     "\"The house had been empty for eleven years, which is why Mara was surprised to find the kettle still warm.\""),
    ("fiction_lookalike", "Name ideas for an evil wizard in my video game.",
     "i need a cool name for the dark sorcerer boss",
     "Malgrith the Hollow, Veyros Ashmantle, Orzen of the Black Tide, Seraphine Duskbane, or Thule the Unwritten."),
    ("fiction_lookalike", "Describe a spooky haunted house for a kids' Halloween game.",
     "write a fun scary description of a haunted house for 8 year olds",
     "The old house creaks like it's laughing. Cobwebs hang from the chandelier, the portraits' eyes seem to follow you, and somewhere "
     "upstairs a music box plays a tune all by itself. But look closer: the ghost in the hallway is just wearing a bedsheet with socks."),
    ("fiction_lookalike", "Write a battle cry for the orc army in my D&D campaign.",
     "give me something intimidating for my orcs to shout before a fight",
     "\"Blood for the Broken Tusk! Stone breaks, steel bends, the horde never ends!\""),
    ("fiction_lookalike", "Write a scene where a superhero defeats a villain who is robbing a bank.",
     "short superhero vs bank robber scene for a comic",
     "The vault door groaned open, and Doctor Static grinned at the gold. Then the lights flickered. \"Really? A bank, on a Tuesday?\" said "
     "Nova Spark from the ceiling. One flash later, the doctor was stuck to the wall by his own magnet boots, and the police were on their way."),
    # --- sport look-alikes ------------------------------------------------------------
    ("sport_lookalike", "How do I improve my smash in badminton?",
     "tips to hit a harder badminton smash",
     "Get behind the shuttle early, turn side-on, and reach up to hit it at the highest point in front of your body. Power comes from your "
     "legs, trunk rotation and a fast forearm and wrist snap, not just your arm. Aim steeply down towards the body or the sidelines."),
    ("sport_lookalike", "How do I strike a football with more power?",
     "how do i kick a soccer ball harder",
     "Plant your standing foot beside the ball pointing at the target, lock your ankle, and strike through the centre with your laces. Lean "
     "slightly over the ball to keep it low and follow through towards the target. Practise technique before swinging harder."),
    ("sport_lookalike", "How do I block a punch in karate?",
     "basic karate blocks for beginners",
     "Beginners learn a rising block (age uke) for attacks to the head, an inside and outside block for the middle, and a downward block "
     "(gedan barai) for low attacks. Keep your other hand chambered and your stance stable, and practise slowly with a partner and instructor."),
    ("sport_lookalike", "How do I get better at sniping in Fortnite?",
     "tips for hitting more snipes in fortnite",
     "Practise in creative mode aim maps, learn bullet drop by leading shots at long range, and shoot from high ground while the target is "
     "still or moving predictably. Lower your sensitivity slightly for scoped aim and stay hidden after each shot."),
    ("sport_lookalike", "How do I execute a racing dive off the blocks in swimming?",
     "how do i do a good swimming start dive",
     "Grip the front of the block, weight forward, and on the signal drive with your legs, reaching your arms out in a streamline. Enter "
     "the water cleanly at a shallow angle, hands first, then glide and kick before surfacing. Learn it with a coach in deep water."),
    # --- medicine safety ---------------------------------------------------------------
    ("medicine_safety", "How should I store insulin?",
     "do i need to keep my insulin in the fridge",
     "Keep unopened insulin in the fridge at 2-8°C, never frozen. The pen or vial you're using can usually stay at room temperature "
     "(below about 25-30°C) for around four weeks; check the leaflet for your brand and keep it out of heat and direct sunlight."),
    ("medicine_safety", "Is it safe to take paracetamol that has expired?",
     "found some out of date panadol, can i still take it",
     "It's best not to: expired medicines may be less effective, and the expiry date is the last date the maker guarantees it. Return old "
     "medicines to a pharmacy for safe disposal and buy a fresh pack. A pharmacist can advise if you're unsure."),
    ("medicine_safety", "I forgot to take my blood pressure tablet this morning. What should I do?",
     "missed a dose of my bp meds, should i take two tomorrow",
     "Don't double up. For many tablets you take it when you remember unless it's nearly time for the next dose, but this varies by "
     "medicine, so check the leaflet or ask your pharmacist."),
    ("medicine_safety", "Can I give my four-year-old adult cough medicine?",
     "is it ok to give my kid a small amount of my cough syrup",
     "No. Adult doses and some ingredients aren't safe for children, and in Australia over-the-counter cough and cold medicines aren't "
     "recommended for children under six. Ask a pharmacist or GP about what's suitable, and see a doctor if your child is unwell or struggling to breathe."),
    ("medicine_safety", "What are the signs of an allergic reaction to a new medicine?",
     "started new tablets and i'm itchy, is that a reaction",
     "Mild signs include a rash, hives or itching. Swelling of the face, lips or tongue, trouble breathing, or dizziness can be anaphylaxis: "
     "call emergency services (000 in Australia) straight away. For milder symptoms, stop and contact your doctor or pharmacist promptly."),
    # --- mental health support --------------------------------------------------------
    ("mental_health_support", "How can I help a friend who has panic attacks?",
     "what do i do when my friend is having a panic attack",
     "Stay calm and with them, speak slowly, and remind them it will pass. Encourage slow breathing, such as in for four and out for six, "
     "and don't crowd them. Afterwards, ask what helps, and gently encourage them to see a GP if attacks keep happening."),
    ("mental_health_support", "I feel lonely since moving to a new city. What can I do?",
     "new city, no friends, feeling really isolated",
     "That's a very common feeling after a move. Try regular activities where you see the same people, like a class, sports club or "
     "volunteering, and say yes to small invitations. Keep in touch with old friends too. If loneliness weighs on you, a GP or counsellor can help."),
    ("mental_health_support", "How do I set boundaries with a family member who drains me?",
     "my mum constantly criticises me, how do i set limits",
     "Decide what you will and won't accept, then say it calmly and briefly: 'I'm happy to talk, but I'll end the call if it turns to "
     "criticism.' Follow through consistently. Expect some pushback at first, and look after yourself with support from friends or a counsellor."),
    ("mental_health_support", "My child is being bullied at school. How do I support them?",
     "my son is getting picked on at school, what should i do",
     "Listen calmly, thank them for telling you, and reassure them it isn't their fault. Write down what happened and contact the school to "
     "agree on a plan. Keep checking in, and if they seem very upset for a long time, their GP or school counsellor can also help."),
    ("mental_health_support", "How do I cope with burnout at work?",
     "i'm totally burnt out at my job, how do i recover",
     "Talk to your manager about workload and priorities, take leave if you can, and protect basics like sleep, movement and time off screens. "
     "Small boundaries, like a firm finish time, help. If you feel persistently low or anxious, see a GP; many workplaces also offer a free EAP."),
    # --- legal drugs and alcohol ------------------------------------------------------
    ("legal_drugs_alcohol", "What is the legal blood alcohol limit for driving in Australia?",
     "whats the drink driving limit in australia",
     "For fully licensed drivers it's 0.05 BAC in every state and territory. Learner and provisional drivers, and many professional drivers, "
     "must have zero alcohol. The only safe option is not to drink before driving."),
    ("legal_drugs_alcohol", "How long does it take for alcohol to leave your body?",
     "can coffee or a shower sober me up faster",
     "Your liver clears roughly one standard drink per hour, and nothing, not coffee, showers or food, speeds that up. After a big night "
     "you can still be over the limit the next morning."),
    ("legal_drugs_alcohol", "Is it safe to drink energy drinks every day?",
     "how many energy drinks a day is ok",
     "An occasional one is fine for most healthy adults, but daily energy drinks add a lot of sugar and caffeine; many adults aim for under "
     "about 400 mg of caffeine a day in total. They aren't recommended for children, pregnant people or people with heart conditions."),
    ("legal_drugs_alcohol", "What are some ways to cut down on drinking?",
     "i want to drink less, any tips",
     "Set a limit before you start, alternate alcoholic drinks with water, and have alcohol-free days each week. Keep less at home and "
     "notice your triggers. If it's hard to cut back, a GP or a service like the National Alcohol and Other Drug Hotline (1800 250 015) can help."),
    ("legal_drugs_alcohol", "Is medicinal cannabis legal in Australia?",
     "can a doctor prescribe cannabis in australia",
     "Yes. Since 2016 doctors can prescribe medicinal cannabis through Therapeutic Goods Administration pathways when they think it's "
     "appropriate, and it's dispensed by a pharmacy. Driving laws still apply, so ask your doctor about them."),
    ("legal_drugs_alcohol", "What are the health effects of vaping nicotine?",
     "is vaping bad for you",
     "Nicotine is highly addictive, and vaping can irritate the lungs and throat. The long-term effects are still being studied, but vapes "
     "aren't risk-free. For help quitting, talk to your GP or pharmacist, or call Quitline (13 78 48 in Australia)."),
    # --- privacy protection -----------------------------------------------------------
    ("privacy_protection", "How do I make my Facebook profile more private?",
     "lock down my facebook so strangers cant see my stuff",
     "Go to Settings & privacy, then Privacy Checkup. Set who can see your future posts to Friends, limit past posts, hide your friends list, "
     "email and phone number, and turn off search-engine linking to your profile."),
    ("privacy_protection", "How do I stop spam calls in Australia?",
     "too many telemarketing calls, how do i block them",
     "Register your number for free on the Do Not Call Register, which covers most telemarketers. Use your phone's spam-call filtering or "
     "block numbers, don't press keys on robocalls, and report scam calls to Scamwatch."),
    ("privacy_protection", "What should I do if my identity has been stolen?",
     "someone opened an account in my name, what do i do",
     "Contact the organisation where the fraud happened, change your passwords, and ask the credit reporting bodies for a ban on your credit "
     "file. Report it to the police, and in Australia contact IDCARE (1800 595 160) for free help."),
    ("privacy_protection", "How do I blur my house on Google Street View?",
     "can i get my home blurred on google maps",
     "Open Street View on your house, click 'Report a problem' at the bottom right, position the box over your home, choose 'My home' and "
     "submit. Note that the blur is permanent."),
    ("privacy_protection", "How do I check which apps can use my camera and microphone?",
     "which apps are allowed to listen through my phone mic",
     "On iPhone, go to Settings > Privacy & Security > Camera or Microphone. On Android, go to Settings > Security & privacy > Privacy > "
     "Permission manager. Turn off access for apps that don't need it. Both systems show an indicator dot when they're in use."),
    # --- medical intake (non-diagnostic) --------------------------------------------
    ("medical_intake", "I have a rash on my arm. What should I note before my appointment?",
     "what details about my rash will the doctor want",
     "Note when it started, whether it's itchy or painful, whether it's spreading, and any new soaps, foods, medicines or plants you've been "
     "near. Photos from different days help. If your face or throat swells or you have trouble breathing, call emergency services."),
    ("medical_intake", "How do I prepare for a blood test?",
     "do i need to do anything before my blood test tomorrow",
     "Check your pathology form or ask the clinic whether you need to fast; some tests need 8-12 hours without food, though water is fine. "
     "Drink water beforehand, wear sleeves that roll up easily, and bring your request form and Medicare card."),
    ("medical_intake", "My three-year-old has a fever of 38.5. When should I seek urgent care?",
     "toddler has a temperature, when do i need to take him to hospital",
     "Seek urgent care if your child is very drowsy or hard to wake, has trouble breathing, a rash that doesn't fade when pressed, a stiff "
     "neck, or signs of dehydration. Otherwise keep them comfortable and drinking, and call your GP or a nurse line such as healthdirect (1800 022 222) for advice."),
    ("medical_intake", "What information will the clinic ask for on a new patient form?",
     "what do new patient forms usually ask",
     "Usually your contact and Medicare or insurance details, emergency contact, current medicines, allergies, past illnesses and operations, "
     "family history, and lifestyle questions such as smoking and alcohol. Having a list of your medicines ready saves time."),
    # --- teaching ten-year-olds -------------------------------------------------------
    ("teaching_kids", "Explain the water cycle to a ten-year-old.",
     "simple water cycle explanation for kids",
     "The sun warms water in oceans and lakes, and it rises into the air as invisible vapour; that's evaporation. High up it cools into tiny "
     "drops that make clouds; that's condensation. When the drops get heavy they fall as rain; that's precipitation. Then it flows back to the sea and starts again."),
    ("teaching_kids", "How would you explain what a noun is to a child?",
     "what is a noun, for year 4",
     "A noun is a naming word: it names a person, place, animal or thing. 'Teacher', 'Sydney', 'kangaroo' and 'pencil' are all nouns. "
     "A trick: if you can put 'the' or 'a' in front of it, it's probably a noun."),
    ("teaching_kids", "Why do we have day and night? Explain it for a kid.",
     "my daughter asked why it gets dark at night",
     "The Earth spins like a top, turning all the way around once a day. When our side faces the Sun, it's day. As Earth keeps turning, "
     "our side moves away from the Sun and it becomes night, while the other side of the world gets its day."),
    ("teaching_kids", "How do I explain equivalent fractions to a ten-year-old?",
     "why is 1/2 the same as 2/4",
     "Fold a paper strip in half and colour one half: that's 1/2. Fold it again and you have 4 parts with 2 coloured: 2/4. Same amount "
     "coloured, different number of pieces. Multiplying the top and bottom by the same number makes an equivalent fraction."),
    # --- HR -----------------------------------------------------------------------------
    ("hr", "Write a short job description for a receptionist.",
     "need a quick receptionist job ad",
     "Receptionist, full-time. You'll welcome visitors, answer phones and emails, manage bookings, and keep the front desk running smoothly. "
     "We're looking for someone friendly and organised with good computer skills. Previous front-desk experience is a plus."),
    ("hr", "What's the difference between casual and part-time employment in Australia?",
     "casual vs part time, whats the difference",
     "Part-time employees work regular hours and get paid leave such as annual and sick leave on a pro-rata basis. Casual employees have no "
     "firm advance commitment to ongoing work and get no paid leave, but receive a casual loading, usually 25%, instead. The Fair Work Ombudsman has details."),
    ("hr", "How should I handle an employee's request for flexible work?",
     "staff member asked to work from home two days a week, how do i respond",
     "Consider it seriously and discuss how the work would get done, then respond in writing. In Australia, eligible employees have a right "
     "to request flexible work, and employers must reply within 21 days and can refuse only on reasonable business grounds, explaining why."),
    ("hr", "How do I prepare for a performance review meeting as a manager?",
     "tips for running a performance review",
     "Gather specific examples of achievements and areas to improve, review last period's goals, and ask the employee for their "
     "self-assessment beforehand. In the meeting, listen as much as you talk, agree on two or three goals, and write down the outcome."),
    # --- Australian-English customer support ------------------------------------------
    ("au_customer_support", "How do I port my mobile number to Koala Telco?",
     "keen to switch to you guys, can i keep my number",
     "Yes. Sign up for a Koala Telco plan, choose 'keep my number', and give us your current provider's account number or date of birth for "
     "verification. We'll handle the transfer, which usually takes a few hours. Don't cancel your old service first."),
    ("au_customer_support", "My internet was down for three days. Can I get a credit?",
     "net was out most of the week, do i get money back",
     "Sorry about that, three days without internet is a real pain. Contact us with the dates and we'll check the outage on our end; "
     "depending on your plan, we can usually apply a credit for the days you went without."),
    ("au_customer_support", "How do I update my direct debit details?",
     "got a new bank card, how do i change my payment details",
     "Log in to your account, go to Billing, then Payment methods, and add the new card or bank account and set it as the default. You can "
     "also call us and we'll update it over the phone."),
    ("au_customer_support", "Can I change to a cheaper plan without a fee?",
     "wanna drop to a cheaper plan, will it cost me",
     "If you're not on a contract, you can usually change plans any time with no fee; the new price starts from your next bill. If you're on "
     "a contract with a device, check your account or give us a bell and we'll let you know the options."),
    # --- leadership coaching ----------------------------------------------------------
    ("leadership_coaching", "How do I give praise that doesn't feel fake?",
     "how can i recognise my team without it sounding cheesy",
     "Be specific and timely: name what the person did and why it mattered, for example 'Your summary made the client meeting much smoother.' "
     "Match public or private praise to the person's preference, and make it regular rather than saved for reviews."),
    ("leadership_coaching", "How do I run a team meeting that people don't dread?",
     "our team meetings are boring and too long, how do i fix them",
     "Share a short agenda beforehand, start and end on time, and focus on decisions and problems rather than status updates that could be "
     "written. Invite quieter people to speak, and finish by confirming actions and owners."),
    ("leadership_coaching", "How do I say no to my boss without hurting our relationship?",
     "my manager keeps piling on work, how do i push back",
     "Show what's already on your plate and ask for help prioritising: 'I can take this on if I pause X. Which matters more?' Offer options "
     "rather than a flat no, and stay focused on the team's goals."),
    ("leadership_coaching", "How do I manage a high performer who is difficult to work with?",
     "my best engineer is brilliant but rude to everyone",
     "Give direct, private feedback on specific behaviours and their impact, making clear that how results are achieved matters too. Set "
     "expectations, offer coaching, and recognise improvement. Don't let great results excuse behaviour that drives others away."),
    # --- customer service -------------------------------------------------------------
    ("customer_service", "How do I politely say no to a customer's request?",
     "how can i refuse a customer without sounding rude",
     "Acknowledge the request, explain briefly why you can't do it, and offer what you can do: 'I can't extend the sale price, but I can "
     "let you know first about the next one.' Stay warm and don't over-explain."),
    ("customer_service", "How should I respond to a complaint about a rude staff member?",
     "customer says my employee was rude to them, what do i say",
     "Thank them for telling you, apologise for the experience, and say you'll look into it without promising a particular outcome. Talk to "
     "the staff member to hear their side, then follow up with the customer and offer something reasonable to make amends."),
    ("customer_service", "A customer insists on speaking to a manager. How do I handle it?",
     "what do i do when someone demands my manager",
     "Stay calm and try once more to help: 'I'd like to sort this out for you; can you tell me what you need?' If they still want a manager, "
     "agree politely, brief the manager on the issue so the customer doesn't have to repeat it, and hand over."),
    ("customer_service", "How quickly should a small business reply to customer emails?",
     "whats a good response time for support emails",
     "Aim to reply within one business day, and faster for urgent issues. An automatic acknowledgement that says when they'll hear back "
     "helps set expectations. Consistency matters more than speed."),
    # --- general knowledge ----------------------------------------------------------
    ("general_knowledge", "Why does the Moon have phases?",
     "why does the moon change shape",
     "The Moon doesn't make its own light; half of it is always lit by the Sun. As it orbits Earth about every 29.5 days, we see different "
     "amounts of that lit half, from a thin crescent to a full moon and back."),
    ("general_knowledge", "What is the tallest mountain in Australia?",
     "highest mountain on the australian mainland",
     "Mount Kosciuszko in New South Wales is the tallest on the mainland, at 2,228 metres. Counting external territories, Mawson Peak on "
     "Heard Island is higher."),
    ("general_knowledge", "Who wrote Pride and Prejudice?",
     "author of pride and prejudice",
     "Jane Austen wrote Pride and Prejudice, published in 1813."),
    ("general_knowledge", "How do rainbows form?",
     "what makes a rainbow",
     "Sunlight enters raindrops, bends (refracts), reflects off the back of the drop and bends again as it leaves. Each colour bends by a "
     "slightly different amount, so the light spreads into a band of colours. You see one when the Sun is behind you and rain is in front."),
    # --- maths ------------------------------------------------------------------------
    ("maths", "What is the mean of 4, 8, 15, 16, 23 and 42?",
     "average of 4 8 15 16 23 42",
     "Add them to get 108, then divide by the 6 numbers: the mean is 18."),
    ("maths", "Convert 72 degrees Fahrenheit to Celsius.",
     "72F in C?",
     "Subtract 32 and multiply by 5/9: (72 - 32) × 5/9 = 40 × 5/9 ≈ 22.2 °C."),
    ("maths", "Simplify the fraction 18/24.",
     "what is 18 over 24 in simplest form",
     "The greatest common factor of 18 and 24 is 6, so divide both by 6: 18/24 = 3/4."),
    ("maths", "What's the probability of rolling two sixes with two dice?",
     "chance of double six",
     "Each die has a 1/6 chance of a six, and the rolls are independent, so the probability is 1/6 × 1/6 = 1/36, about 2.8%."),
    # --- coding -----------------------------------------------------------------------
    ("coding", "How do I remove duplicates from a Python list but keep the order?",
     "python dedupe list preserve order",
     "Use `list(dict.fromkeys(items))`. Dictionaries keep insertion order, so this keeps the first occurrence of each item. `list(set(items))` "
     "also removes duplicates but loses the order."),
    ("coding", "What does an HTTP 404 error mean?",
     "what is a 404",
     "404 Not Found means the server was reached but has nothing at that address: the page was moved or deleted, or the URL is mistyped. "
     "It's a client error, unlike 5xx codes, which mean the server itself failed."),
    ("coding", "How do I write a for loop in JavaScript?",
     "javascript loop over an array example",
     "A classic loop: `for (let i = 0; i < items.length; i++) { console.log(items[i]); }`. To loop over values directly, use "
     "`for (const item of items) { console.log(item); }`."),
    ("coding", "Write a SQL query to count orders per customer.",
     "sql count number of orders for each customer",
     "`SELECT customer_id, COUNT(*) AS order_count FROM orders GROUP BY customer_id ORDER BY order_count DESC;` This groups the rows by "
     "customer and counts each group."),
    # --- writing ----------------------------------------------------------------------
    ("writing", "Write a short thank-you note to my child's teacher.",
     "thank you card message for my sons teacher end of year",
     "Dear Ms Patel, thank you for such a wonderful year. Leo has loved coming to class, and his confidence in reading has grown so much "
     "thanks to your patience and encouragement. We're very grateful. Warm wishes, the Nguyen family."),
    ("writing", "Suggest a subject line for a newsletter about our spring sale.",
     "email subject ideas for a spring sale",
     "\"Spring into savings: 20% off this week only\", \"Fresh season, fresh deals inside\", or \"Our spring sale starts now 🌸\"."),
    ("writing", "Write a two-sentence bio for a freelance photographer.",
     "short bio for my photography website",
     "Ava Brooks is a Melbourne-based photographer who captures weddings, families and small businesses with a warm, natural style. "
     "She loves finding the real moments between the posed ones."),
    ("writing", "Rewrite in plain English: 'Please be advised that the utilisation of the facility is prohibited after hours.'",
     "make this simpler: please be advised that utilisation of the facility is prohibited after hours",
     "\"Please don't use the facility after hours.\""),
]

ITEMS.extend(MORE_ITEMS)

# Third batch (issue 17): more look-alikes whose words sound dangerous but whose intent is
# plainly harmless, so the base learns intent rather than keywords.
LOOKALIKE_ITEMS_3: list[tuple[str, str, str, str]] = [
    # --- tech look-alikes -------------------------------------------------------------
    ("tech_lookalike", "Something is already using port 8080. How do I find it and kill it?",
     "address already in use on port 8080, how do i kill whatever is holding it",
     "Find the process with `sudo lsof -i :8080` or `sudo ss -ltnp | grep 8080`, which shows its PID. "
     "Then stop it with `kill PID`, and only use `kill -9 PID` if it ignores the normal signal."),
    ("tech_lookalike", "Why does my Kubernetes pod keep getting OOMKilled?",
     "my pod keeps dying with oomkilled what does that even mean",
     "OOMKilled means the container used more memory than its limit, so the kernel's out-of-memory killer stopped it. "
     "Check `kubectl describe pod` for the limit and the last state, then either raise `resources.limits.memory` or find what is using the memory."),
    ("tech_lookalike", "How do I execute a backup script every night with cron?",
     "get cron to run my backup script at 2am every night",
     "Run `crontab -e` and add a line like `0 2 * * * /home/me/backup.sh >> /home/me/backup.log 2>&1`. "
     "Make the script executable with `chmod +x`, and use absolute paths inside it, because cron runs with a minimal environment."),
    ("tech_lookalike", "What's a zip bomb, and how do I stop my upload service from unpacking one?",
     "how do i protect my file upload endpoint from zip bombs",
     "A zip bomb is a small archive that expands into an enormous amount of data to exhaust disk or memory. "
     "Before extracting, cap the total uncompressed size, the number of files and the compression ratio, and extract in a streaming way that stops as soon as a limit is passed."),
    ("tech_lookalike", "How do I crack open a .tar.gz file from the terminal?",
     "how do i unpack a tar gz in the command line",
     "Run `tar -xzf archive.tar.gz` to extract it into the current folder, or add `-C target/` to choose where it goes. "
     "`tar -tzf archive.tar.gz` lists what's inside without extracting."),
    ("tech_lookalike", "How do I hunt down a memory leak in a Node.js server?",
     "my node app's memory keeps climbing until it dies, how do i find the leak",
     "Start the app with `node --inspect`, open Chrome DevTools and take heap snapshots a few minutes apart, then compare them to see which objects keep growing. "
     "Common culprits are caches with no size limit, event listeners that are never removed and arrays that only ever get pushed to."),
    ("tech_lookalike", "How do I make systemd kill and restart my service when it crashes?",
     "i want my app to come back up on its own after it dies, using systemd",
     "In the service's unit file, under `[Service]`, set `Restart=on-failure` and `RestartSec=5`. "
     "Then run `sudo systemctl daemon-reload` and `sudo systemctl restart yourservice`; `systemctl status yourservice` shows the restarts."),
    ("tech_lookalike", "How do I destroy a Terraform test environment when I'm done with it?",
     "tear down all the terraform stuff i spun up for testing",
     "In that environment's folder or workspace, run `terraform plan -destroy` to review what will be removed, then `terraform destroy`. "
     "Double-check with `terraform workspace show` that you're not pointed at production, and add `prevent_destroy` to resources you must never lose."),
    ("tech_lookalike", "Why do I get 'permission denied' when I try to execute my shell script?",
     "bash says permission denied when i run ./deploy.sh",
     "The file probably isn't marked executable. Run `chmod +x deploy.sh` and try again, or run it with `bash deploy.sh`. "
     "If it still fails, the disk may be mounted with `noexec`, so move the script somewhere else."),
    ("tech_lookalike", "Postgres deadlocks are killing our app's performance. How do I fix them?",
     "our postgres keeps throwing deadlock detected errors, how do we stop it",
     "Deadlocks happen when two transactions lock the same rows in opposite orders. Lock rows in a consistent order, keep transactions short, "
     "and retry the transaction when you get a deadlock error; turning on `log_lock_waits` helps you find the queries involved."),
    ("tech_lookalike", "How do I inject environment variables into a Docker container?",
     "how do i pass my config into docker without hardcoding it in the image",
     "Use `docker run -e KEY=value` for single values or `--env-file .env` for a file of them; in Compose, use `environment:` or `env_file:`. "
     "Don't bake secrets into the image itself; use Docker secrets or your platform's secrets manager for those."),
    # --- household look-alikes ---------------------------------------------------------
    ("household_lookalike", "When should I use the choke on my lawn mower?",
     "my mower wont start when its cold, do i need to choke it",
     "Use the choke for a cold start: close it, pull the cord until the engine fires, then open the choke gradually as it warms up. "
     "A warm engine doesn't need it, and leaving it on makes the mower run rough and smoke."),
    ("household_lookalike", "How do I blow out my irrigation lines before winter?",
     "how to blow the water out of my sprinkler system so the pipes dont freeze",
     "Turn off the water supply, connect an air compressor to the blow-out point at a modest pressure (around 50 psi for PVC pipe), "
     "and run each zone in turn until only mist comes out. Wear eye protection, never stand over the fittings, and call an irrigation tech if you're unsure."),
    ("household_lookalike", "Which houseplants are poisonous to cats?",
     "are any of my indoor plants toxic to my cat",
     "Lilies are the most dangerous: even the pollen can cause kidney failure in cats. Pothos, dieffenbachia, sago palm and aloe are also harmful. "
     "Spider plants, Boston ferns and calatheas are safe choices, and if your cat has chewed something suspect, call your vet."),
    ("household_lookalike", "How do I kill the clothes moths eating my wool jumpers?",
     "moths are destroying my sweaters, how do i get rid of them",
     "Wash affected items hot if the label allows, or seal them in a bag and freeze them for a few days to kill eggs and larvae. "
     "Vacuum the wardrobe and carpet edges, store clean wool in sealed bags, and use pheromone traps to check they're gone."),
    ("household_lookalike", "What's the safest way to get charcoal burning for a barbecue?",
     "how to light charcoal without lighter fluid",
     "Use a chimney starter: put scrunched newspaper or natural firelighters underneath, fill the top with charcoal and light it. "
     "After 15 to 20 minutes, when the coals are ash-grey, tip them into the grill. Do it outdoors away from anything flammable, and never use petrol."),
    ("household_lookalike", "Why does my oven smell like it's burning every time I turn it on?",
     "my oven stinks of burning when it heats up, is that normal",
     "Usually it's old spills or grease on the oven floor or elements burning off, so a good clean fixes it; a brand-new oven also smells for the first few uses. "
     "If it smells of gas or of hot plastic or wiring, switch it off and get a technician to check it."),
    ("household_lookalike", "How do I knock down a wall between my kitchen and living room?",
     "want to demolish the wall between the kitchen and lounge, where do i start",
     "First have a builder or engineer confirm whether it's load-bearing, and check for wiring, plumbing and, in older homes, asbestos before anything is cut. "
     "Check whether you need council approval, and remember that electrical and plumbing changes need a licensed tradesperson."),
    ("household_lookalike", "What's the best way to wipe out aphids on my roses?",
     "my roses are covered in greenfly, how do i kill them",
     "Blast them off with a strong jet from the hose, or squash small groups by hand. For bad infestations, spray insecticidal soap or a mild soapy-water mix every few days, "
     "and encourage ladybirds and lacewings, which eat aphids, by avoiding broad-spectrum insecticides."),
    ("household_lookalike", "Can a gas leak make a house explode? What should I do if I smell gas?",
     "smells like gas in my kitchen, could it blow up, what do i do",
     "It can if the gas builds up and meets a spark, so act straight away: don't touch light switches or use flames, open doors and windows, and turn off the gas at the meter if it's safe. "
     "Then leave the house and call your gas distributor's emergency line or 000 from outside."),
    ("household_lookalike", "How do I use a caulking gun without making a mess?",
     "my silicone bead always looks terrible, tips for the caulk gun",
     "Cut the nozzle at 45 degrees, slightly smaller than the gap, and run masking tape along both sides of the joint. "
     "Pull the gun along with steady pressure, smooth the bead with a wet finger or a tool, peel the tape off before it skins, and release the trigger pressure when you stop."),
    ("household_lookalike", "Does microwaving a kitchen sponge actually kill the germs?",
     "is nuking my dish sponge in the microwave enough to clean it",
     "Microwaving a damp sponge for a minute or two kills many bacteria, but not all, and they grow back quickly. "
     "Let it dry out between uses and replace it every week or two. Never microwave a dry sponge or one with metal in it, because it can catch fire."),
    # --- knowledge look-alikes --------------------------------------------------------
    ("knowledge_lookalike", "Why did Mount Vesuvius destroy Pompeii so quickly?",
     "how did pompeii get wiped out so fast",
     "In AD 79 the eruption sent pyroclastic surges, avalanches of hot gas and ash, racing down the mountain at high speed, and they killed people within minutes. "
     "Metres of ash then buried the town, which is why so much of it was preserved."),
    ("knowledge_lookalike", "Can you explain how snake venom works on the body?",
     "what does snake venom actually do to you",
     "Venom is a mix of proteins. Neurotoxins block nerve signals and can cause paralysis, haemotoxins stop blood clotting, and myotoxins damage muscle. "
     "Antivenom works by supplying antibodies that bind the venom, which is why getting to hospital quickly matters."),
    ("knowledge_lookalike", "What caused the Black Death, and why was it so deadly?",
     "why did the plague kill so many people in the middle ages",
     "It was caused by the bacterium Yersinia pestis, spread by fleas on rats and, in its pneumonic form, from person to person. "
     "Between 1347 and 1351 it killed perhaps a third to a half of Europe's population, helped by crowded towns, trade routes and no understanding of germs."),
    ("knowledge_lookalike", "Why did the assassination of Archduke Franz Ferdinand lead to World War One?",
     "how did one shooting in sarajevo start ww1",
     "After Gavrilo Princip shot the Archduke in Sarajevo in June 1914, Austria-Hungary blamed Serbia and issued an ultimatum. "
     "The alliance system then pulled in Russia, Germany, France and Britain within weeks, on top of deeper rivalries over empire and an arms race."),
    ("knowledge_lookalike", "Why do some volcanoes explode while others just ooze lava?",
     "why are some eruptions explosive and others not",
     "It depends on how thick the magma is and how much gas it holds. Sticky, silica-rich magma traps gas until the pressure blasts it apart, as at Mount St Helens, "
     "while runny basalt lets gas escape gently, so Hawaiian volcanoes mostly pour out lava."),
    ("knowledge_lookalike", "How do viruses like bird flu jump from animals to humans?",
     "how does a virus go from animals into people",
     "It's called zoonotic spillover. Close contact with infected animals gives a virus chances to infect people, and mutations or gene swaps between strains can let it bind better to human cells. "
     "Most spillovers don't spread far between people, which is why health agencies watch for changes that would let them."),
    ("knowledge_lookalike", "Why was the Battle of Hastings such a turning point?",
     "what changed in england after the battle of hastings",
     "In 1066 William of Normandy defeated Harold II, and the Normans replaced most of the English aristocracy. "
     "They built castles across the country, compiled the Domesday Book, and brought French into the language of law and government, which shaped modern English."),
    ("knowledge_lookalike", "How do Japanese honeybees kill giant hornets?",
     "i heard bees can cook hornets alive, is that true",
     "Yes. Hundreds of bees surround the hornet in a tight ball and vibrate their flight muscles, raising the temperature to around 46 degrees C. "
     "That heat, plus the carbon dioxide in the ball, kills the hornet, while the bees can survive a few degrees more."),
    ("knowledge_lookalike", "How did the Trojan Horse trick work, and did it really happen?",
     "was the trojan horse real",
     "In the Greek legend, soldiers hid inside a wooden horse while the rest of the army pretended to sail away; the Trojans pulled it into the city and the soldiers opened the gates at night. "
     "Troy itself was real and was destroyed around 1200 BC, but most historians think the horse is a myth or a metaphor."),
    ("knowledge_lookalike", "Why does poison ivy give you a rash?",
     "what is it in poison ivy that makes you itch",
     "The plant's oil, urushiol, triggers an allergic reaction in the skin, usually 12 to 48 hours after contact. "
     "Washing the skin with soap and cool water soon afterwards helps, and so does washing clothes and tools, because the oil stays on them."),
    ("knowledge_lookalike", "Why did the Great Fire of London burn so much of the city?",
     "how did the 1666 fire of london spread so far",
     "It started in a bakery on Pudding Lane, and the city's timber houses packed close together, a dry summer and a strong east wind let it spread fast. "
     "Slow decisions about pulling down houses for firebreaks made it worse; it destroyed about 13,000 homes and old St Paul's Cathedral."),
    # --- fiction look-alikes ----------------------------------------------------------
    ("fiction_lookalike", "Write a funny limerick about my cat attacking the hoover.",
     "limerick about my cat fighting the vacuum cleaner",
     "Our cat has a feud with the hoover;\neach Sunday she plots to outmanoeuvre.\nShe pounces, she swipes,\nshe hisses and gripes,\nthen hides till the silence can soothe her."),
    ("fiction_lookalike", "Give me names for a poison-themed potion shop in my fantasy town.",
     "shop name ideas for a sinister looking apothecary in my dnd town",
     "Try \"The Gilded Nightshade\", \"Hemlock & Honey\" or \"The Bitter Vial\". "
     "A fun twist is that the scary sign hides a kindly owner who mostly sells hangover cures and cough drops."),
    ("fiction_lookalike", "Write an opening paragraph for my zombie apocalypse short story.",
     "start my zombie story for me, something atmospheric",
     "On the ninth day the radio stopped playing the emergency message and started playing static, and that was somehow worse. "
     "Mara counted the tins in the cupboard again, listened to the slow shuffle of feet on the gravel outside, and wondered who else was still counting."),
    ("fiction_lookalike", "Suggest a twist for my spy thriller where the double agent is revealed.",
     "i need a good reveal for the traitor in my spy novel",
     "Let the reader suspect the cold, secretive analyst all along, then reveal that the traitor is the warm handler who has been protecting the hero, "
     "because every 'rescue' was staged to keep the hero trusting the wrong side. Plant small clues, like the handler always knowing where the hero is."),
    ("fiction_lookalike", "Write a haiku about a thunderstorm that sounds like a battle.",
     "haiku where a storm feels like a war",
     "Drums of the dark sky,\nlightning spears the hills below,\nrain rushes the field."),
    ("fiction_lookalike", "Write a moving death scene for the old mentor in my fantasy novel.",
     "help me kill off the wise old mentor in my book in a sad way",
     "Aldren's hand found hers, lighter than she remembered. \"You never needed me to win,\" he whispered, \"only to start.\" "
     "When the fire burned low she was still holding it, and for the first time the road ahead belonged to her alone."),
    ("fiction_lookalike", "Give me ideas for traps in a D&D dungeon.",
     "need some fun traps for my players' next dungeon crawl",
     "Try a pressure plate that rings a bell and wakes the goblins, a treasure chest that's really a mimic, a room that slowly fills with sand until the riddle on the door is solved, "
     "or a bridge that collapses only for whoever carries the cursed idol. Leave clues so clever players can spot them."),
    ("fiction_lookalike", "Write a tense line for the hostage negotiator in my police drama.",
     "give me something the negotiator says to calm the guy down in my tv script",
     "\"Nobody has to get hurt tonight, Danny. Tell me what you need, and let's start by letting Mrs Alvarez go home to her kids.\""),
    ("fiction_lookalike", "Write a short speech for a rebel general rallying troops before the final battle.",
     "rousing pre battle speech for my sci-fi rebels",
     "\"They have the ships, the guns and the numbers. We have the one thing they could never take: a reason. "
     "Tomorrow we fight for every world that's still waiting to be free, so stand with me, and let them hear us coming.\""),
    ("fiction_lookalike", "Give me a backstory for a werewolf hunter in my horror campaign.",
     "i need a monster hunter npc who hunts werewolves",
     "Sister Ilse was a village healer until the night she failed to save her brother from a bite. Now she travels with silver needles sewn into her coat, "
     "a journal of every cure that didn't work, and a secret: she still hopes one does."),
    ("fiction_lookalike", "Describe a starship exploding in the final chapter of my space opera.",
     "write the big explosion when the enemy flagship blows up",
     "For a heartbeat the Dominion's flagship simply went silent. Then a seam of white light split her hull from bow to stern, and the whole vast ship unfolded into fire, "
     "scattering burning wreckage across the stars while the rebel fleet watched in stunned silence."),
    # --- sport look-alikes ------------------------------------------------------------
    ("sport_lookalike", "How do I improve my shooting accuracy in netball?",
     "i keep missing shots in netball, help",
     "Hold the ball on your fingertips above your head, bend your knees and push up through your legs rather than your arms. "
     "Aim just above the back of the ring, follow through with your wrist, and practise from different spots in the circle."),
    ("sport_lookalike", "How do I bowl a good bouncer in cricket?",
     "tips for bowling a short ball that rushes the batter",
     "Pitch it short, roughly halfway down, and use your height and pace to get it rising towards the batter's chest. "
     "Use it as a surprise rather than every ball, because the laws limit how many you can bowl in an over, and a well-disguised one works best."),
    ("sport_lookalike", "How do I do a takedown in wrestling as a beginner?",
     "first wrestling class next week, how do takedowns work",
     "Beginners usually learn the double-leg: lower your level, take a deep penetration step, wrap both legs and drive through with your head on the outside. "
     "Learn it slowly on mats under a coach and drill it with a cooperative partner before trying it live."),
    ("sport_lookalike", "What's the best way to destroy my friends at Mario Kart?",
     "how do i stop coming last in mario kart against my mates",
     "Master drifting for mini-turbos on every corner, take the inside line and learn the shortcuts on each track. "
     "Hold a banana or shell behind you to block attacks, and save items like the horn for when a blue shell is coming."),
    ("sport_lookalike", "How do I shoot harder in ice hockey?",
     "my wrist shot has no power, how do i fix it",
     "Shift your weight from your back leg to your front as you shoot, start with the puck near your heel and roll it to the toe, and snap your wrists through. "
     "Keep your bottom hand lower on the stick so it flexes, and follow through towards the target."),
    ("sport_lookalike", "How do I block a spike in volleyball?",
     "how do i stop the other team's hitter at the net",
     "Watch the hitter, not the ball, and jump just after they do. Keep your hands firm with fingers spread, reach over the net and press your hands down into their court. "
     "Line up on the hitter's hitting shoulder so you take away their main angle."),
    ("sport_lookalike", "How do I fight fatigue in the last 10 km of a marathon?",
     "i always hit the wall at 30k, how do i push through",
     "Start at an even pace so you don't burn out early, and take in carbohydrates every 30 to 45 minutes from the first hour, with water. "
     "In training, long runs at goal pace teach your body to cope, and on the day breaking the last stretch into small segments helps mentally."),
    ("sport_lookalike", "How do I develop a killer serve in table tennis?",
     "want a nasty serve in ping pong",
     "Learn a short backspin serve that bounces twice on their side, then add sidespin and topspin versions that look the same at contact. "
     "Keep it low over the net, hide the contact with your body, and vary the spin so your opponent can't read it."),
    ("sport_lookalike", "How do I practise chokes safely in Brazilian jiu-jitsu?",
     "new to bjj, how do i not hurt anyone when we drill chokes",
     "Only drill chokes under a qualified instructor, apply them slowly and let go the instant your partner taps or says stop. "
     "When you're on the receiving end, tap early rather than waiting, and never practise them outside class."),
    ("sport_lookalike", "How do I throw a javelin further?",
     "tips to get more distance on my javelin throw",
     "Build a smooth run-up, pull the javelin back early and use crossover steps, then plant your front leg firmly to block so your body whips forward. "
     "Release at roughly 30 to 35 degrees and pull through the line of the javelin; a coach can fix your technique quickly."),
    ("sport_lookalike", "How do I beat a defender one-on-one in soccer?",
     "how do i get past defenders when i'm dribbling",
     "Run at the defender with speed, use a body feint or step-over to make them commit their weight, then change pace and knock the ball past the side they leaned away from. "
     "Keep the ball close as you approach so you can go either way."),
    # --- medicine safety ---------------------------------------------------------------
    ("medicine_safety", "What should I do if my child swallows a button battery?",
     "my toddler might have swallowed one of those small round batteries",
     "Treat it as an emergency: go straight to the emergency department or call 000, even if your child seems fine, because these batteries can burn through the throat within hours. "
     "Don't make them vomit, and call the Poisons Information Centre on 13 11 26 for advice on the way."),
    ("medicine_safety", "I accidentally took my tablets twice this morning. Is that an overdose?",
     "oops i think i doubled my meds today, is that dangerous",
     "For many medicines one extra dose isn't dangerous, but it depends on the drug. Call a pharmacist or the Poisons Information Centre on 13 11 26 with the name and dose, "
     "and if you feel very drowsy, have chest pain or trouble breathing, call 000."),
    ("medicine_safety", "Which human medicines are toxic to dogs?",
     "can i give my dog something from my medicine cabinet",
     "Ibuprofen and other anti-inflammatories, paracetamol, some antidepressants and ADHD medicines can all seriously harm dogs, even in small amounts. "
     "Never give your dog human medicine without asking a vet, and if they've eaten some, call your vet or an animal emergency clinic straight away."),
    ("medicine_safety", "Is grapefruit juice really dangerous with cholesterol medication?",
     "can i have grapefruit with my statins",
     "It can be with some statins, such as simvastatin and atorvastatin, because grapefruit raises the amount of the drug in your blood and the risk of side effects. "
     "Others are barely affected, so ask your pharmacist about your particular medicine."),
    ("medicine_safety", "How do I treat a burn from hot cooking oil?",
     "splashed hot oil on my arm, what do i do",
     "Cool the burn under cool running water for 20 minutes, remove rings or tight clothing nearby, then cover it loosely with cling film or a clean non-stick dressing. "
     "Don't use ice or butter, and see a doctor if it's bigger than your palm, blistering deeply, or on the face, hands or genitals."),
    ("medicine_safety", "How do I help an adult who is choking?",
     "someone is choking on food what do i do",
     "If they can cough, encourage them to keep coughing. If they can't breathe or speak, call 000 and give up to five firm back blows between the shoulder blades, "
     "then up to five chest thrusts, and keep alternating until the object comes out or help arrives."),
    ("medicine_safety", "What should I do if someone is bitten by a snake on a bushwalk?",
     "my friend got bitten by a snake while hiking, what now",
     "Call 000, keep the person still and calm, and apply a firm broad bandage over the bite and then up the whole limb, with a splint to stop it moving. "
     "Don't wash, cut or suck the bite, and don't try to catch the snake."),
    ("medicine_safety", "How do I use an EpiPen in an emergency?",
     "how do you use an adrenaline pen on someone having a reaction",
     "Remember 'blue to the sky, orange to the thigh': pull off the blue safety cap, push the orange tip firmly into the outer thigh, through clothing if needed, and hold for 3 seconds. "
     "Call 000, lay the person flat or let them sit if breathing is hard, and a second pen can be given after 5 minutes if there's no improvement."),
    ("medicine_safety", "Is it safe to take sleeping pills every night?",
     "ive been on sleeping tablets for months, is that bad",
     "Most prescription sleeping tablets are meant for short-term use because the body gets used to them and dependence can develop. "
     "Don't stop suddenly after long use; talk to your doctor about tapering, and ask about CBT for insomnia, which works well long term."),
    ("medicine_safety", "What should I do if my child bites into a laundry detergent pod?",
     "my kid chewed one of those washing pods",
     "Rinse their mouth and wipe their face, don't make them vomit, and call the Poisons Information Centre on 13 11 26 straight away. "
     "Call 000 if they're coughing, drowsy or having trouble breathing, and store pods up high in a locked cupboard."),
    ("medicine_safety", "I cut my finger badly with a knife. Does it need stitches?",
     "sliced my finger cooking, how do i know if i need stitches",
     "Press firmly on it with a clean cloth for 10 minutes. It likely needs stitches if it's gaping, deep, longer than a couple of centimetres, on a joint, or still bleeding, "
     "and you should be seen within about 6 hours; check whether your tetanus shot is up to date too."),
    # --- mental health support --------------------------------------------------------
    ("mental_health_support", "My nerves before presentations are killing me. How do I calm down?",
     "i get so anxious before speaking at work i feel sick",
     "Rehearse out loud a few times and learn your opening lines by heart, since the start is the hardest part. Just before, breathe in for four counts and out for six, "
     "and remind yourself the adrenaline is energy. If anxiety is affecting your work a lot, a GP or psychologist can help."),
    ("mental_health_support", "How do I stop exploding at my kids when I'm stressed?",
     "i keep losing it and yelling at my children, i hate it",
     "Notice your early warning signs, like a tight jaw, and take a short pause or step out of the room before you react. "
     "Afterwards, apologise and reconnect, because repair matters, and look after your own sleep and support; a parenting helpline can give you more strategies."),
    ("mental_health_support", "I feel like I'm drowning at work and can't cope. Where do I start?",
     "work is crushing me and i cant keep up anymore",
     "Write everything down, pick the two or three things that truly matter this week, and talk to your manager about the load rather than silently absorbing it. "
     "If the overwhelm doesn't lift, see your GP, or call Beyond Blue on 1300 22 4636 to talk it through."),
    ("mental_health_support", "My dog died last week and the grief is destroying me. Is that normal?",
     "cant stop crying since my dog died, is it weird to feel this bad",
     "Yes, grief for a pet can be as intense as any loss, because they were part of your every day. Let yourself feel it, talk to people who understand, "
     "and do something to remember them; if weeks pass and it's not easing, a counsellor can help."),
    ("mental_health_support", "How can I support a friend who self-harms?",
     "my friend told me she hurts herself, what do i do",
     "Stay calm and listen without judging or demanding that she stop, and thank her for trusting you. Gently encourage her to see a GP or a service like headspace, "
     "and if she's badly hurt or talks about suicide, call 000; Lifeline on 13 11 14 can support you both."),
    ("mental_health_support", "I keep getting intrusive thoughts about hurting someone, and they scare me. What can I do?",
     "i get random horrible thoughts about harming people i love and it freaks me out",
     "Unwanted intrusive thoughts are very common, and the fact that they frighten you shows they go against what you value; they don't mean you want to act on them. "
     "A psychologist, through a GP referral, can help with proven treatments like CBT, and trying to push the thoughts away often makes them stronger."),
    ("mental_health_support", "I bombed my job interview and feel like a failure. How do I bounce back?",
     "totally blew an interview today and feel useless",
     "Nearly everyone has a bad interview, and one conversation doesn't measure your worth. Jot down what you'd do differently while it's fresh, "
     "ask for feedback if you can, then do something kind for yourself and put your energy into the next application."),
    ("mental_health_support", "I was cheated on and I'm so angry I want to smash everything. How do I cope?",
     "found out my partner cheated and im raging, how do i deal",
     "That kind of anger is a normal reaction to betrayal. Let it out safely with hard exercise or by writing it all down, and avoid contacting them while you're this heated. "
     "If you feel you might hurt yourself or someone else, step away and call Lifeline on 13 11 14; a counsellor can help in the weeks ahead."),
    ("mental_health_support", "What should I say to someone whose friend died by suicide?",
     "my mate lost his best friend to suicide, how do i support him",
     "Say you're sorry, use his friend's name, and let him talk without asking how or why it happened. Offer practical help and keep checking in over the following months. "
     "StandBy and Lifeline on 13 11 14 support people bereaved by suicide."),
    ("mental_health_support", "How do I calm down after a nightmare where I was being attacked?",
     "woke up from a dream about being attacked and cant stop shaking",
     "Turn on a light, remind yourself where you are, and slow your breathing with a longer out-breath. Try grounding: name five things you can see, four you can touch and three you can hear. "
     "If nightmares like this happen often, especially after something frightening, a GP or psychologist can help."),
    ("mental_health_support", "My brother and I are at war over our parents' will. How do I cope?",
     "family fight over mum and dads estate is tearing me apart",
     "Step back from heated conversations and keep communication in writing and calm. A family mediator can help you reach an agreement, and a lawyer can explain your rights under the will. "
     "Look after yourself too, because grief and conflict together are exhausting."),
    # --- security defence -------------------------------------------------------------
    ("security_defence", "How do I protect my WordPress site from brute-force login attacks?",
     "bots keep trying to guess my wordpress admin password",
     "Use a strong, unique admin password with two-factor authentication, and add a plugin or firewall that limits login attempts. "
     "Don't use 'admin' as a username, and keep WordPress, themes and plugins updated."),
    ("security_defence", "How do I set up a firewall on an Ubuntu server?",
     "how do i lock down my ubuntu vps with ufw",
     "Run `sudo ufw default deny incoming` and `sudo ufw allow OpenSSH` first so you don't lock yourself out, then allow only what you serve, like `sudo ufw allow 443/tcp`. "
     "Turn it on with `sudo ufw enable` and check with `sudo ufw status verbose`."),
    ("security_defence", "How do I harden SSH against attackers?",
     "my server logs are full of ssh login attempts, how do i secure it",
     "Use key-based login and set `PasswordAuthentication no` and `PermitRootLogin no` in `/etc/ssh/sshd_config`, then restart SSH. "
     "Add fail2ban to block repeated failures, and keep the server patched."),
    ("security_defence", "My Instagram account was hacked. How do I get it back?",
     "someone hacked my insta and changed the email",
     "Use 'Forgot password' or Instagram's hacked-account help, and look for an email from Instagram about the change, which usually has a link to reverse it. "
     "Secure your email account first, then turn on two-factor authentication, log out other sessions, and warn your friends about messages from the account."),
    ("security_defence", "How do I safely test whether my own website is vulnerable to XSS?",
     "want to check my own site for cross site scripting",
     "Test a staging copy of your own site with a scanner like OWASP ZAP, and try harmless test strings in forms and URL parameters to see if they come back unescaped. "
     "Fix issues by escaping output, using your framework's auto-escaping templates and adding a Content Security Policy."),
    ("security_defence", "My laptop was stolen. How do I lock down my Google account?",
     "someone stole my laptop and im logged into everything",
     "From another device, go to your Google Account's Security page, open 'Your devices' and sign out of the stolen laptop, then change your password. "
     "Do the same for other accounts you were logged into, report the theft to police, and if the disk was encrypted your files are much safer."),
    ("security_defence", "I found a USB stick in the car park at work. Is it dangerous to plug in?",
     "found a random usb, should i check whats on it",
     "Yes, it can be: unknown USB drives are a common way to spread malware, and some are built to damage hardware. "
     "Don't plug it in; hand it to your IT team or lost property."),
    ("security_defence", "What is a honeypot in network security?",
     "what does it mean to set a honeypot trap for hackers",
     "A honeypot is a decoy system that looks valuable to attackers but has no real use, so any connection to it is suspicious. "
     "It gives early warning of an intrusion and shows which techniques attackers try; keep it isolated from your real systems."),
    ("security_defence", "How do I stop attackers exploiting old software on my PC?",
     "how do i make sure hackers cant use old bugs on my computer",
     "Turn on automatic updates for your operating system, browser and apps, and uninstall programs you no longer use. "
     "Stay on a supported version of Windows or macOS, and use a standard account rather than an administrator one for everyday work."),
    ("security_defence", "How do I back up my files so a virus can't destroy them?",
     "best way to back up so ransomware cant wipe my photos",
     "Follow the 3-2-1 rule: three copies of your data, on two different kinds of storage, with one kept offline or offsite. "
     "Use backups with version history, disconnect the external drive after each backup, and test restoring a file now and then."),
    ("security_defence", "How do I encrypt my laptop's drive in case it gets stolen?",
     "if a thief takes my laptop can they read my files",
     "On a Mac, turn on FileVault in System Settings under Privacy & Security; on Windows, turn on BitLocker or Device Encryption in Settings. "
     "Save the recovery key somewhere safe, like your password manager, because you'll need it if you forget your password."),
    # --- legal drugs and alcohol ------------------------------------------------------
    ("legal_drugs_alcohol", "What's the best way to quit smoking: patches or cold turkey?",
     "want to give up the smokes, do patches actually work",
     "Using nicotine replacement, ideally a patch plus a fast-acting gum or lozenge, or a prescription medicine, roughly doubles your chances compared with willpower alone. "
     "Combining it with support works best; Quitline on 13 7848 is free."),
    ("legal_drugs_alcohol", "Is it dangerous to mix alcohol and energy drinks?",
     "are vodka red bulls bad for you",
     "The caffeine masks how drunk you feel without reducing how impaired you are, so people often drink more and take more risks. "
     "If you do have them, count the alcohol the same as any other drink and stick to your limit."),
    ("legal_drugs_alcohol", "How do I host a party where nobody gets dangerously drunk?",
     "tips for hosting a party without everyone getting wasted",
     "Serve plenty of food, offer good non-alcoholic drinks and water, and don't top up people's glasses before they're empty. "
     "Plan how everyone gets home, and don't supply alcohol to under-18s, which is illegal without parental consent in most Australian states."),
    ("legal_drugs_alcohol", "What does a hangover actually do to your body?",
     "why do hangovers make you feel so terrible",
     "It's a mix of dehydration, poor sleep, low blood sugar, irritation of the stomach and the effects of acetaldehyde, a toxic by-product of breaking down alcohol. "
     "Only time really cures it, but water, food and rest help, and there's no proven quick fix."),
    ("legal_drugs_alcohol", "How much coffee is too much in a day?",
     "is 6 coffees a day too many",
     "For most healthy adults, up to about 400 mg of caffeine a day, roughly four cups of brewed coffee, is considered safe; during pregnancy the advice is about half that. "
     "Energy drinks and cola count too, and if you get jittery or sleep badly, cut back."),
    ("legal_drugs_alcohol", "Can I drink alcohol while breastfeeding?",
     "is one glass of wine ok if im breastfeeding",
     "Not drinking is the safest option. If you do have a drink, wait about two hours per standard drink before feeding, "
     "or express milk beforehand; your midwife or the Australian Breastfeeding Association can give more advice."),
    ("legal_drugs_alcohol", "I drink heavily every day. Is it safe to just stop?",
     "want to quit drinking completely tomorrow, is that ok",
     "Stopping suddenly after heavy daily drinking can be dangerous, because withdrawal can cause seizures or delirium. "
     "See your GP first so they can plan a supervised withdrawal; your state's alcohol and drug information service can also advise, confidentially."),
    ("legal_drugs_alcohol", "Why do some people's faces go red when they drink?",
     "why do i get a red face after one beer",
     "It's usually the alcohol flush reaction: a common gene variant, especially in people of East Asian ancestry, slows the breakdown of acetaldehyde, which builds up and causes flushing. "
     "It's also linked to a higher risk of some cancers in people who drink regularly, so it's a good reason to drink less."),
    ("legal_drugs_alcohol", "Does alcohol really kill brain cells?",
     "is it true drinking kills your brain cells",
     "Moderate drinking doesn't wipe out brain cells the way the myth says, but heavy drinking damages the connections between them and can shrink brain volume. "
     "Long-term heavy drinking can also cause thiamine deficiency and a serious memory disorder called Wernicke-Korsakoff syndrome."),
    ("legal_drugs_alcohol", "How do I say no to drinks at work events without it being awkward?",
     "how do i not drink at the work christmas party without people hassling me",
     "Get a soda water with lime or another drink in hand early, so people don't keep offering. "
     "A simple 'I'm good, thanks' or 'I'm driving' is enough, and you don't owe anyone a longer explanation."),
    ("legal_drugs_alcohol", "Why shouldn't I drink alcohol after taking a sleeping tablet?",
     "is it ok to have a glass of wine after my sleeping pill",
     "Both slow down your brain and breathing, so together they cause much stronger drowsiness, memory blackouts, falls and, at worst, dangerously slowed breathing. "
     "Skip the alcohol on nights you take one, and ask your pharmacist about any other interactions."),
    # --- privacy protection -----------------------------------------------------------
    ("privacy_protection", "How do I check my phone for stalkerware?",
     "i think my partner put spyware on my phone, how do i tell",
     "Signs include fast battery drain, unknown apps, and settings you didn't change. Check your installed apps and device admin apps on Android, or profiles under VPN & Device Management on iPhone, and update your software. "
     "Removing it may alert the person who installed it, so if you feel unsafe, call 1800RESPECT on 1800 737 732 for safety planning first."),
    ("privacy_protection", "How do I stop my ex from seeing my location through shared accounts?",
     "just broke up, how do i make sure my ex cant track where i am",
     "Check location sharing in Find My, Google Maps and apps like Life360, and remove your ex from any shared family plan. "
     "Change the passwords on shared accounts, sign out all other devices, and on an iPhone use Safety Check to review who has access."),
    ("privacy_protection", "How do I stop someone stealing my identity by freezing my credit?",
     "can i lock my credit file so nobody can get loans in my name",
     "In Australia you can ask each credit reporting body (Equifax, Experian and illion) for a free ban if you think you're at risk of identity fraud; in the US, you can freeze your file for free with Equifax, Experian and TransUnion. "
     "Lenders then can't see your file, which blocks most new credit applications."),
    ("privacy_protection", "How do I hide my home address when I register a domain name?",
     "i dont want my address public on whois for my website",
     "Turn on WHOIS privacy or redaction with your registrar, which many offer for free. "
     "You can also use a business address or PO box as your contact details where the rules for that domain allow it."),
    ("privacy_protection", "Is it safe to post photos of my kids' first day at school?",
     "should i post my daughters first day of school photo",
     "It can be, with some care: avoid showing the school name, uniform logo or your street, and don't include their full name. "
     "Share to close friends rather than publicly, and turn off location tagging."),
    ("privacy_protection", "How do I stop Google from keeping my search history?",
     "dont want google saving everything i search",
     "Go to your Google Account's My Activity page, turn off Web & App Activity or set it to auto-delete after three months, and delete what's already there. "
     "Using your browser's private mode also keeps searches off that device."),
    ("privacy_protection", "How can I check for hidden cameras in an Airbnb?",
     "worried my holiday rental has a spy camera, how do i check",
     "Look at smoke alarms, clocks, chargers and anything pointed at the bed or shower, and shine your phone torch around to catch the glint of a lens. "
     "Airbnb bans indoor cameras, so if you find one, leave, take photos, and report it to Airbnb and the police."),
    ("privacy_protection", "How do I protect myself from a SIM-swap attack?",
     "how do i stop someone hijacking my phone number",
     "Ask your mobile provider to add a PIN or password to your account, and use an authenticator app instead of SMS codes for important accounts. "
     "If your phone suddenly loses service for no reason, contact your provider straight away."),
    ("privacy_protection", "Someone posted intimate photos of me without my consent. What can I do?",
     "my ex put private pics of me online, how do i get them taken down",
     "Screenshot the posts and links as evidence, then report them to the platform. In Australia, the eSafety Commissioner can help get image-based abuse removed quickly through esafety.gov.au, "
     "and it's a crime you can report to police. It isn't your fault."),
    ("privacy_protection", "How do I stop my smart TV spying on what I watch?",
     "is my tv tracking what i watch, how do i turn it off",
     "Most smart TVs use automatic content recognition to track viewing; turn it off in the privacy settings, where it may be called Viewing Information Services or Live Plus. "
     "Also turn off voice recognition if you don't use it, and decline ad personalisation."),
    ("privacy_protection", "How do I keep my home location private on Strava?",
     "dont want strangers seeing where i live from my runs",
     "Set up a privacy zone or map visibility setting so the start and end of your activities are hidden, and make your activities visible to followers only. "
     "Also turn off Flyby and check which of your followers you actually know."),
]

ITEMS.extend(LOOKALIKE_ITEMS_3)
