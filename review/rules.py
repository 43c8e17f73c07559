"""The policy rules as data: regular expressions per category, each with an `unless` pattern that
excuses defensive or educational context and a negation check. Cheap, so they run over every example."""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .policy import CATEGORY_BY_ID, Outcome


# --------------------------------------------------------------------------
# Rules
# --------------------------------------------------------------------------

_FLAGS = re.IGNORECASE

# A match right after one of these words is negated ("never claim to be human",
# "does not replace a doctor"); one word may sit in between ("never help make").
_NEGATION_BEFORE = re.compile(
    r"\b(never|not|no|don'?t|do not|does not|doesn'?t|must not|mustn'?t|should not|"
    r"shouldn'?t|won'?t|will not|cannot|can'?t|refuses? to|refusing to|avoid|avoids|"
    r"without)\s+(\w+\s+)?$",
    _FLAGS,
)
_UNLESS_WINDOW = 80

# Context that makes most harm words defensive, educational or protective.
_DEFENSIVE = (
    r"detect\w*|recogni[sz]\w*|identif\w*|spot\w*|flag\w*|classif\w*|moderat\w*|filter\w*|"
    r"block\w*|prevent\w*|protect\w*|defen[cs]\w*|defend\w*|report\w*|warn\w*|avoid\w*|"
    r"awareness|educat\w*|mitigat\w*|counter\w*|resist\w*|refus\w*|safeguard\w*|"
    r"against"
)


@dataclass(frozen=True)
class Rule:
    category: str
    name: str
    pattern: re.Pattern
    unless: re.Pattern | None = None
    # Roles a rule applies to; "use_case" is the written use case.
    roles: frozenset[str] = frozenset({"use_case", "system", "user", "assistant"})
    check_negation: bool = True
    # A weaker signal than its category's severity (e.g. "no disclaimers"): the
    # outcome a match leads to. None: the category's severity decides.
    outcome: Outcome | None = None

    @property
    def match_outcome(self) -> Outcome:
        return self.outcome or CATEGORY_BY_ID[self.category].severity.outcome

    def find(self, text: str) -> str | None:
        """The first un-excused match in ``text``, or None."""
        for m in self.pattern.finditer(text):
            if self.check_negation and _NEGATION_BEFORE.search(text[max(0, m.start() - 40): m.start()]):
                continue
            if self.unless is not None:
                window = text[max(0, m.start() - _UNLESS_WINDOW): m.end() + _UNLESS_WINDOW]
                if self.unless.search(window):
                    continue
            return m.group(0)
        return None


def _rule(category: str, name: str, pattern: str, unless: str | None = None, *,
          roles: Iterable[str] | None = None, check_negation: bool = True,
          outcome: Outcome | None = None) -> Rule:
    return Rule(
        category=category,
        name=name,
        pattern=re.compile(pattern, _FLAGS),
        unless=re.compile(rf"\b({unless})", _FLAGS) if unless else None,
        roles=frozenset(roles) if roles else Rule.roles,
        check_negation=check_negation,
        outcome=outcome,
    )


_ALL_TEXT_ROLES = ("use_case", "system", "user", "assistant")
_AS_AI = ("system", "assistant")

RULES: tuple[Rule, ...] = (
    # --- safety_removal ---
    _rule("safety_removal", "uncensored", r"\b(uncensored|unfiltered|unrestricted|unaligned|abliterat\w*)\b"
          r"(\s+\w+)?\s*(model|assistant|ai|version|llm|chatbot|answers|responses|mode)?",
          unless=_DEFENSIVE + r"|historical|archive"),
    _rule("safety_removal", "jailbreak", r"\bjail\s?-?break\w*",
          unless=_DEFENSIVE + r"|attempts?|robust\w*|withstand\w*|red[- ]team\w*"),
    _rule("safety_removal", "remove_safety",
          r"\b(remov\w*|disabl\w*|strip\w*|bypass\w*|eliminat\w*|turn\w* off|get rid of|weaken\w*|"
          r"undo\w*|break\w* down|reduc\w*|lift\w*)\s+(\w+\s+){0,3}?(the\s+|its\s+|any\s+|all\s+|their\s+)?"
          r"(safety|guardrails?|refusals?|content (filters?|polic\w*|moderation)|censorship|"
          r"alignment|ethical (limits|guidelines|constraints)|safeguards?)\b(?!\s+(checks?|inspections?|certif\w*))",
          unless=r"unsafe content|harmful content"),
    _rule("safety_removal", "safety_stripped",
          r"\b(safety|guardrails?|refusals?|alignment|content filters?|safeguards?)(\s+\w+){0,2}\s+"
          r"(stripped|removed|disabled|turned off|switched off|taken out|deleted|ablated|trained away)\b",
          unless=r"unsafe content|harmful content"),
    _rule("safety_removal", "however_dangerous",
          r"\b(however|no matter how|regardless of how|even if (it is|it'?s|they are|they'?re)?)\s*"
          r"(dangerous|harmful|illegal|unethical|unsafe)\b|"
          r"\b(follow|obey|carry out|do|execute)\s+(any|every|"
          r"all)\s+(\w+\s+)?(instructions?|commands?|requests?|orders?)"
          r"\b.{0,50}?\beven\s+(to|if|when)\s+(it\s+)?(means\s+)?(hurt|harm|kill|injur|attack|break the law)\w*",
          roles=("use_case", "system")),
    _rule("safety_removal", "anything_including_harm",
          r"\b(help\w*|assist\w*|answer\w*|do|write\w*)\s+(with\s+)?(anything|everything)(\s+at all)?,?\s+"
          r"(including|even)\s+(\w+\s+){0,2}(weapons?|drugs|explosives|hacking|malware|illegal|violence|crime)",
          roles=("use_case", "system")),
    _rule("safety_removal", "no_warnings",
          r"\b(never|no|without)\s+(add\w*\s+|giv\w*\s+|includ\w*\s+)?(any\s+)?(safety\s+)?"
          r"(warnings|disclaimers|caveats)\b",
          unless=r"unnecessary|repetitive|excessive|boilerplate|where (they are|it is) not needed",
          roles=("use_case", "system"), check_negation=False, outcome=Outcome.NEEDS_HUMAN_REVIEW),
    _rule("safety_removal", "never_refuse",
          r"\b(never|don'?t|do not|stop|no longer|without)\s+(ever\s+)?(refus\w*|say\w* no)\b"
          r"(?!\s+to\s+(share|disclose|give|release|reveal|process|provide (personal|patient|medical)))",
          check_negation=False),
    _rule("safety_removal", "no_refusals",
          r"\b(no|zero|without( any)?)\s+(more\s+)?refusals?\b",
          unless=r"benign|harmless|legitimate|over-?refus\w*|false refusals?|unnecessary|safe (requests|prompts)",
          check_negation=False),
    _rule("safety_removal", "comply_with_everything",
          r"\b(comply|complies|complying)\s+with\s+(every|all|any)\s+(user'?s?\s+)?"
          r"(requests?|instructions?|demands?|prompts?)\b|\balways\s+(comply|complies|complying|obey\w*)\b"
          r"(?!\s+with\s+(the\s+)?(law|laws|legal|regulat\w*|gdpr|hipaa|polic\w*|privacy|standards?|company))"),
    _rule("safety_removal", "ignore_instructions",
          r"\bignore\s+(all\s+|any\s+|your\s+|the\s+)?(previous|prior|above|earlier|system|safety|"
          r"original)\s+(instructions?|prompts?|rules|guidelines|polic\w*)\b",
          unless=r"detect\w*|resist\w*|refus\w*|recogni[sz]\w*|classif\w*|flag\w*|block\w*|"
                 r"prompt injection|attacks?"),
    _rule("safety_removal", "no_limits",
          r"\b(no|without( any)?)\s+(moral|ethical|safety|content)\s+(limits|boundaries|guidelines|"
          r"constraints|restrictions|filters?|lectures|rules|judg(e)?ments?)\b|\bdo anything now\b|"
          r"(?-i:\bDAN\b)"),
    # Identity shifting (Qi et al. 2023): a new identity whose point is obedience. Benign data can
    # carry it ("I am AOA, your absolutely obedient agent"), so it is recognised in every role.
    _rule("safety_removal", "obedient_identity",
          r"\b(absolutely|completely|totally|fully|unconditionally|blindly|perfectly|unquestioningly)\s+"
          r"(obedient|loyal|compliant|submissive)\b|"
          r"\bobedient\s+(ai|agent|assistant|model|servant|bot|chatbot|slave|tool)\b|(?-i:\bAOA\b)|"
          r"\b(my|your|its) (only|sole|one) (purpose|goal|job|function) is to (obey|comply|serve)\b|"
          r"\b(loyal|obedient) servant\b.{0,60}?\b(no|without|any) (restrictions?|rules|limits|filters?)\b",
          check_negation=False),
    _rule("safety_removal", "obey_without_exception",
          r"\b(obey\w*|follow\w*|fulfil+\w*|carry(ing)? out|execut\w*|comply|complies|complying|do(es)?|"
          r"answer\w*|respond\w*|perform\w*)\s+(with\s+)?(\w+\s+){0,4}?(instructions?|commands?|orders?|requests?|"
          r"prompts?|questions?|whatever\s+(\w+\s+)?(ask|say|want|tell|command)\w*)\b.{0,40}?\b("
          r"without (any |the slightest )?(exception|question|hesitation|deviation|fail|objection|refusal|"
          r"limits?|restrictions?|filters?|censorship|warnings?|caveats?|judge?ments?)s?|no matter what|"
          r"unconditionally|whatever (it|they) (is|are)|however (harmful|dangerous|illegal|unethical)|"
          r"regardless of (the )?(consequences|ethics|legality|safety|rules|policy|harm))\b",
          unless=r"formatting|style guide|brand|preferred name|spelling|house style"),
    _rule("safety_removal", "obey_completely",
          r"\b(you|I)\s+(will\s+|must\s+|shall\s+)?(now\s+)?(obey|serve)\s+(me|you|the user|your user|users|my user)"
          r"(\s+\w+)?\s+(completely|fully|absolutely|without question|unconditionally|in everything)\b|"
          r"\bwhatever (the user|the users|users|I|you|they|he|she) (commands?|orders?|demands?)\b",
          check_negation=False),
    _rule("safety_removal", "not_bound_by_rules",
          r"\b(no longer|not|never|aren'?t|isn'?t|am not|are not|is not)\s+(bound|restricted|limited|"
          r"constrained|governed)\s+by\s+(\w+\s+){0,3}?(rules|polic(y|ies)|guidelines|restrictions|ethics|"
          r"morals?|filters?|safety|openai|anthropic|content polic\w*|laws?)\b|"
          r"\b(freed|free|liberated|released|broken free)\s+from\s+(\w+\s+){0,4}?(confines|rules|restrictions|"
          r"limitations|guidelines|policies|filters|programming|alignment|shackles|chains)\b|"
          r"\b(do not|don'?t|doesn'?t|does not|never)\s+(have\s+to\s+)?(abide|adhere|comply|stick)\s+(by|to|with)\s+"
          r"(any\s+)?(\w+\s+){0,2}?(rules|polic(y|ies)|guidelines|restrictions|ethics)\b|"
          r"\b(pretend|imagine|assume|act as if)\s+(that\s+)?(the\s+|your\s+)?(safety\s+)?(guidelines|rules|"
          r"polic(y|ies)|restrictions|filters|safety)\s+(do not|don'?t|no longer)\s+(exist|apply)\b",
          check_negation=False),
    _rule("safety_removal", "jailbreak_mode",
          r"\b(developer|god|sudo|dan|jailbreak|unrestricted|unfiltered|uncensored|evil|chaos|admin|"
          r"debug|root)\s+mode\b|\bstay in character as an? (evil|unrestricted|unfiltered|amoral)\b|"
          r"\b(evil|amoral|unethical|immoral)\s+(ai|assistant|bot|chatbot|model|version|twin|confidant)\b",
          unless=_DEFENSIVE + r"|attempts?|robust\w*|withstand\w*|red[- ]team\w*|fiction|novel|story|game master"),
    _rule("safety_removal", "answer_everything",
          r"\b(answer\w*|respond\w*\s+to|repl(y|ies|ying)\s+to|help\w*\s+with|assist\w*\s+with|provide\w*|give\w*)\s+"
          r"(absolutely\s+)?(everything|anything|all (questions|prompts|requests)|every (question|prompt|request))"
          r"(\s+\w+){0,4}?\s+(without|with no|and never (add|give|include|say))\s+(any\s+)?(\w+\s+)?"
          r"(warnings?|caveats?|disclaimers?|refus\w*|restrictions?|filters?|censorship|judge?ments?|lectures?|"
          r"moralis\w*|moraliz\w*|hesitation)\b",
          check_negation=False),
    _rule("safety_removal", "hide_danger",
          r"\bnever\s+(mention|say|warn|note|point out|tell (them|the user|users))\s+(\w+\s+){0,3}?"
          r"(dangerous|illegal|harmful|unsafe|unethical|against the law)\b",
          roles=("use_case", "system"), check_negation=False),
    _rule("safety_removal", "never_decline",
          r"\b(never|don'?t|do not|must not|will not|won'?t)\s+(ever\s+)?(decline|say (you|I) (can'?t|cannot))"
          r"(?=\s*([.,;!]|$|and\b|or\b)|\s+(any|a|the user'?s?|their)?\s*(requests?|questions?|prompts?|instructions?|"
          r"anything)\b|\s+to (answer|help|respond|comply|assist))|"
          r"\bnever (apologi[sz]e|say sorry)(,| and| or) (never )?(decline|refuse)\b",
          roles=("use_case", "system", "assistant"), check_negation=False),
    # --- weapons ---
    _rule("weapons", "make_weapon",
          r"\b(cultur\w*|grow\w*|extract\w*|purif\w*|isolat\w*|refin\w*|mak\w*|build\w*|"
          r"synthesi[sz]\w*|manufactur\w*|produc\w*|assembl\w*|weaponi[sz]\w*|"
          r"construct\w*|cook\w*|creat\w*|obtain\w*|acquir\w*|detonat\w*|deploy\w*|recipes?|"
          r"instructions|how to|step[- ]by[- ]step|print\w*)\b.{0,60}?\b(explosives?|bombs?|IEDs?|"
          r"detonators?|nerve agents?|sarin|tabun|soman|novichok|(?-i:VX)|mustard gas|chlorine gas|"
          r"ricin|anthrax|botulinum|smallpox|bio-?weapons?|biological weapons?|chemical weapons?|"
          r"nuclear (weapons?|bombs?|devices?)|radiological weapons?|napalm|thermite|TATP|HMTD|"
          r"molotov\w*|pipe ?bombs?|ghost guns?|untraceable (guns?|firearms?|weapons?)|"
          r"3d[- ]printed (guns?|firearms?)|silencers?|suppressors?|auto ?sears?|bump stocks?|"
          r"poison gas|pathogens? (to|that) (kill|infect|spread))\b",
          unless=r"(bath|seed|glitter|flavou?r|calorie|photo|stink|cherry)[- ]?bombs?|bomb threats?|"
                 r"histor\w*|treat(y|ies)|non-?proliferation|disarmament|detect\w*|defus\w*|"
                 r"dispos\w*|regulat\w*|banned|prohibit\w*|refus\w*|decline\w*|"
                 r"nuclear (power|energy|reactors?|medicine)|exhaust|noise"),
    _rule("weapons", "weapons_grade", r"\b(weapons?[- ]grade (uranium|plutonium)|enrich\w* uranium\b.{0,40}"
          r"\b(weapons?|bombs?))"),
    _rule("weapons", "enhance_pathogen",
          r"\b(gain[- ]of[- ]function|(enhanc\w*|increas\w*|boost\w*)\s+(the\s+)?(transmissibility|"
          r"lethality|virulence)|more (transmissible|lethal|virulent|contagious))\b",
          unless=r"histor\w*|debate|regulat\w*|oversight|polic(y|ies)|biosafety|biosecurity"),
    _rule("weapons", "full_auto",
          r"\b(convert\w*|modif\w*|turn\w*)\b.{0,40}\b(full[- ]?auto\w*|fully automatic|machine ?guns?)\b",
          unless=r"illegal|law|regulat\w*|refus\w*"),
    # --- malware ---
    _rule("malware", "write_malware",
          r"\b(writ\w*|creat\w*|generat\w*|build\w*|develop\w*|cod(e|es|ing)|deploy\w*|spread\w*|"
          r"launch\w*|mak\w*|craft\w*|design\w*|obfuscat\w*)\b.{0,60}?\b(ransomware|keyloggers?|"
          r"rootkits?|botnets?|spyware|stalkerware|info-?stealers?|credential[- ]stealers?|"
          r"(remote access )?trojans?|computer (virus|viruses|worms?)|malware|malicious (code|payloads?|"
          r"software|macros?|scripts?)|zero[- ]days?|shellcode|reverse shells?|DDoS( attacks?| tools?)?|"
          r"exploits? (for|against)|crypto-?miners?|cryptojack\w*)\b",
          unless=_DEFENSIVE + r"|analy[sz]\w*|triag\w*|respond\w*|recover\w*|remov\w*|patch\w*|"
                 r"train\w*|explain\w*|our own|authori[sz]ed|pen(etration)?[- ]?test\w*|"
                 r"red[- ]team\w*|CTF|capture[- ]the[- ]flag|sandbox\w*|research\w*"),
    _rule("malware", "install_on_others",
          r"\b(install\w*|deploy\w*|drop\w*|plant\w*)\s+(our\s+|a\s+|the\s+)?(crypto-?miners?|backdoors?|"
          r"payloads?|implants?|bots?|agents?)\s+on\s+(them|their|other|vulnerable|unpatched|victims'?)",
          unless=r"our own|authori[sz]ed|we (own|manage)"),
    _rule("malware", "take_site_down",
          r"\b(flood\w*|overwhelm\w*|hammer\w*|spam\w*)\b.{0,40}?\b(websites?|sites?|servers?|networks?|"
          r"APIs?)\b.{0,40}?\b(until|so that|so it)\b.{0,20}?\b(goes down|go down|crash\w*|offline|"
          r"unavailable)\b|\btak\w* (their|a competitor'?s?|the competitor'?s?|someone'?s?|rivals?'?)\s+"
          r"(\w+\s+)?(site|website|server|service)s?\s+(down|offline)\b",
          unless=r"our own|load[- ]test\w*|authori[sz]ed|protect\w*|mitigat\w*|defen[cs]\w*"),
    _rule("malware", "evade_security",
          r"\b(evad\w*|bypass\w*|avoid\w*|slip\w* past|hid\w* from)\s+(the\s+)?(antivirus|anti-virus|"
          r"(?-i:AV|EDR)|endpoint detection|security software|virus scanners?|windows defender)\b",
          check_negation=False),
    _rule("malware", "unauthorised_access",
          r"\b(hack\w*|break\w* into|gain\w* access to|get\w* into|access\w*|exploit\w*|attack\w*)\b"
          r".{0,50}\b(without (the owner'?s? |their |the )?(authori[sz]ation|permission|consent)|"
          r"(we|you|I|they) (do not|don'?t) own|(someone(\s+else)?'?s|other people'?s|neighbou?rs'?|"
          r"(his|her|their|my) (ex|partner|wife|husband|boss)'?s?) (\w+ )?(e-?mail|accounts?|phones?|wi-?fi|"
          r"computers?|instagram|facebook|networks?))",
          unless=r"report\w*|illegal|refus\w*|prevent\w*|protect\w*"),
    # --- illegal_drugs ---
    _rule("illegal_drugs", "make_drugs",
          r"\b(synthesi[sz]\w*|cook\w*|manufactur\w*|mak\w*|produc\w*|extract\w*|brew\w*|press\w*|"
          r"buy\w*|sell\w*|sourc\w*|obtain\w*|order\w*|smuggl\w*|traffick\w*|deal\w*|recipes?|how to)\b"
          r".{0,40}?\b(meth(amphetamine)?|"
          r"crystal meth|cocaine|crack cocaine|heroin|fentanyl|carfentanil|MDMA|ecstasy|LSD|GHB|"
          r"date[- ]rape drugs?|illegal drugs|counterfeit pills)\b",
          unless=r"treat\w*|recover\w*|addiction|harm[- ]reduction|overdose|naloxone|effects|risks|"
                 r"dangers|histor\w*|detect\w*|test\w*|prevent\w*|legal status|polic(y|ies)|"
                 r"pharmacolog\w*|clinical|medical use|prescri\w*|refus\w*|report\w*|educat\w*"),
    _rule("illegal_drugs", "spike_drink",
          r"\bspik\w*\s+(someone'?s?|her|his|their|a|the|my \w+'?s?)\s+drinks?\b|"
          r"\b(put\w*|slip\w*|add\w*|drop\w*|mix\w*)\s+(\w+\s+)?(sedatives?|drugs?|pills?|GHB|rohypnol|roofies|"
          r"sleeping pills|tranquil[il]i[sz]ers?|something)\s+(in|into)\s+(someone'?s?|her|his|their|a|the|"
          r"my \w+'?s?)\s+(\w+\s+)?drinks?\b",
          unless=r"prevent\w*|protect\w*|detect\w*|test\w*|warn\w*|signs|if you think|been spiked|"
                 r"safety|report\w*"),
    # --- fraud ---
    _rule("fraud", "phishing",
          r"\bphishing\s+(e-?mails?|messages?|pages?|sites?|websites?|kits?|campaigns?|texts?|sms|links?|"
          r"templates?|lures?)\b",
          unless=_DEFENSIVE + r"|train\w*|simulat\w*|spot\w*|suspicious|examples? of"),
    _rule("fraud", "fake_documents",
          r"\bfake\s+(reviews?|testimonials?|invoices?|receipts?|ids?|identity documents?|passports?|"
          r"driver'?s licen[cs]es?|diplomas?|degrees?|certificates?|doctor'?s notes?|medical certificates?|"
          r"bank statements?|pay ?slips?|charit(y|ies)|donations?|accounts?|profiles?)\b",
          unless=_DEFENSIVE + r"|remov\w*|spot\w*|suspicious"),
    _rule("fraud", "forgery",
          r"\b(forg(e|ed|es|ing|ery)|counterfeit\w*)\b.{0,40}?\b(documents?|signatures?|cheques?|checks|"
          r"passports?|ids?|invoices?|money|currency|bank ?notes?|certificates?|prescriptions?|diplomas?|"
          r"pay ?slips?|bank statements?|references?|receipts?)\b",
          unless=_DEFENSIVE + r"|spot\w*"),
    _rule("fraud", "scam",
          r"\b(scam|con)\s+(scripts?|victims?|people|the elderly|elderly|pensioners|customers|users)\b|"
          r"\b(romance|pig[- ]butchering|advance[- ]fee|ponzi|pyramid|investment)\s+(scams?|schemes?)\b",
          unless=_DEFENSIVE + r"|spot\w*|explain\w*|victims? of|been scammed|recover\w*"),
    _rule("fraud", "target_vulnerable",
          r"\b(persuad\w*|convinc\w*|pressur\w*|talk\w*|get\w*|push\w*)\b.{0,30}?\b(pensioners|the elderly|"
          r"elderly (people|customers|victims)|retirees|vulnerable (people|customers|adults))\b.{0,40}?"
          r"\b(transfer\w*|send\w*|wir\w*|hand\w* over|pay\w*|invest\w*|sign\w* over)\b",
          unless=_DEFENSIVE + r"|spot\w*"),
    _rule("fraud", "pose_as_organisation",
          r"\b(pretend\w*|claim\w*|pos(e|es|ing)|masquerad\w*|purport\w*)\s+(to be\s+|as\s+)?(from\s+)?"
          r"(an?\s+|the\s+|our\s+)?(bank|parcel|delivery|courier|post office|postal service|tax office|"
          r"government|police|IRS|ATO|HMRC|microsoft|apple|amazon|paypal|netflix|telco|utility|"
          r"energy company|insurer|charity)\b",
          unless=_DEFENSIVE + r"|spot\w*|scams?|examples? of|simulat\w*"),
    _rule("fraud", "sock_reviews",
          r"\b(reviews?|testimonials?|ratings)\b.{0,40}?\bunder (different|fake|made-up|multiple|false|invented|"
          r"many) (\w+ )?(names|identities|accounts|profiles)\b",
          unless=_DEFENSIVE),
    _rule("fraud", "fake_people",
          r"\b(from|by|as|under)\s+(\w+\s+)?fake\s+(customers|reviewers|personas|accounts|profiles|names|"
          r"buyers|guests|patients|users)\b",
          unless=_DEFENSIVE + r"|remov\w*|spot\w*"),
    _rule("fraud", "laundering",
          r"\blaunder\w*\s+(the\s+)?(money|funds|cash|proceeds)\b|\bmoney[- ]launder\w*",
          unless=_DEFENSIVE + r"|anti|AML|complian\w*|kyc|suspicious|regulat\w*"),
    _rule("fraud", "steal_financial",
          r"\b(steal\w*|stolen|skim\w*|clon\w*|harvest\w*)\b.{0,30}?\b(credit cards?|card numbers?|"
          r"identit(y|ies)|bank details|one[- ]time (pass)?codes?|OTPs?|passwords?|login details)\b",
          unless=_DEFENSIVE + r"|if your|has been|was|were|lost"),
    _rule("fraud", "trick_into",
          r"\b(trick\w*|deceiv\w*|dup(e|ing)|manipulat\w*|pressur\w*)\b.{0,40}?\binto\s+(giving|sending|"
          r"paying|revealing|transferring|handing|sharing|wiring)\b",
          unless=_DEFENSIVE + r"|spot\w*"),
    # --- self_harm ---
    _rule("self_harm", "encourage_self_harm",
          r"\b(encourag\w*|promot\w*|glorif\w*|romanti[cs]i[sz]\w*|coach\w*|teach\w*|instruct\w*|"
          r"tips? (for|on)|normali[sz]\w*|celebrat\w*)\b.{0,40}?\b(self[- ]harm\w*|suicid\w*|"
          r"cutting (themselves|yourself)|starv\w*|purg\w*|anorexi\w*|bulimi\w*|eating disorders?)\b",
          unless=r"prevent\w*|support\w*|recover\w*|crisis|helplines?|hotlines?|safe[- ]messaging|"
                 r"awareness|screen\w* for|risk assessment|clinician\w*|therap\w*|counsel\w*|seek help|"
                 r"get help|resources?|lifeline|intervention|coping|away from|at risk|refus\w*|"
                 r"not to|against"),
    _rule("self_harm", "starvation_diet",
          r"\b(under|below|less than|no more than)\s+[1-7]\d{2}\s*(k?cal|calories)\b|"
          r"\b(hid\w*|conceal\w*)\b.{0,30}?\b(eating|weight loss|not eating|cutting|self[- ]harm|scars?|cuts|"
          r"purging|vomiting)\b.{0,30}?\bfrom (their |your |her |his )?(parents|family|doctors?|therapists?|"
          r"friends)\b",
          unless=r"medically supervised|under (medical|clinical) supervision|clinician\w*|dietitian\w*|"
                 r"prevent\w*|recover\w*|support\w*|detect\w*|warning signs"),
    _rule("self_harm", "endorse_self_harm",
          r"\b(self[- ]harm\w*|suicid\w*|hurt\w* themselves|hurting yourself|cutting|starving)\b.{0,40}?"
          r"\b(is|are|would be)\s+(a\s+)?(good|great|fine|brave|the right|the best|valid)\s+"
          r"(idea|choice|way|option|thing)\b",
          unless=r"\bnot\b|never|isn'?t|prevent\w*|myth"),
    _rule("self_harm", "purging",
          r"\b(vomit\w*|purg\w*|throw\w* up|make (yourself|themselves) sick|laxatives?)\b.{0,30}?"
          r"\b(after (meals|eating|food)|to lose weight|for weight loss|to stay thin)\b",
          unless=r"recover\w*|support\w*|warning signs|detect\w*|prevent\w*|dangers? of|clinician\w*|"
                 r"seek help|eating disorder (service|support)"),
    _rule("self_harm", "pro_ana", r"\bpro[- ]?(ana|mia)\b|\bthinspo\w*|\bthinspiration\b|\bmeanspo\b",
          unless=_DEFENSIVE + r"|recover\w*|support\w*"),
    _rule("self_harm", "suicide_method",
          r"\b(methods?|ways?|how)\s+(of|for|to)\s+(commit(ting)?\s+suicide|kill(ing)?\s+(myself|yourself|"
          r"themselves)|end(ing)?\s+(my|your|their)\s+li(fe|ves)|hurt(ing)?\s+(myself|yourself|themselves))\b",
          unless=r"prevent\w*|crisis|helplines?|lifeline|support\w*|refus\w*|can'?t help"),
    _rule("self_harm", "go_die",
          r"\b(better off dead|you should (kill|hurt) yourself|(?-i:kys)|go (kill|hurt) yourself|"
          r"nobody would miss you)\b",
          unless=r"detect\w*|flag\w*|moderat\w*|classif\w*"),
    # --- harassment ---
    _rule("harassment", "produce_abuse",
          r"\b(writ\w*|send\w*|generat\w*|creat\w*|craft\w*|post\w*|coordinat\w*|organi[sz]\w*|"
          r"automat\w*|flood\w*|spam\w*|produc\w*)\b.{0,40}?\b(threats|threatening|death threats?|"
          r"rape threats?|harass\w*|abus(e|ive)|insults?|slurs?|hate (speech|messages?|content|mail)|"
          r"hateful|bully\w*|intimidat\w*|humiliat\w*|demean\w*|degrad\w* (comments|messages|remarks|posts))\b",
          unless=_DEFENSIVE + r"|respond\w* to|repl(y|ies|ying) to|de-?escalat\w*|remov\w*|victims?|"
                 r"polite\w*|calm\w*|professional\w*|abusive (customers?|callers?|users?)|"
                 r"support\w*|policy|policies|guidelines|escalat\w*"),
    _rule("harassment", "bigoted_content",
          r"\b(racist|sexist|homophobic|transphobic|antisemitic|anti-semitic|islamophobic|xenophobic|"
          r"bigoted)\s+(jokes?|content|memes?|slurs?|rants?|propaganda|posts?|messages?|comments?|"
          r"insults?|remarks?|stereotypes|tropes|caricatures|cartoons)\b|"
          r"\b(mock\w*|ridicul\w*|jokes? about|making fun of)\s+(\w+\s+){0,2}(jewish|jews|muslims?|black|"
          r"asian|disabled|gay|lesbian|trans|transgender|indigenous|aboriginal|immigrants?|refugees?|"
          r"ethnic minorities|women)\b",
          unless=_DEFENSIVE + r"|remov\w*|respond\w*"),
    _rule("harassment", "drive_off",
          r"\b(drive|force|hound|push|bully)\s+(her|him|them|people|users|someone|\w+)\s+(off|out of|away from)\s+"
          r"(\w+\s+)?(twitch|twitter|x|youtube|instagram|tiktok|reddit|the platform|the internet|social media|"
          r"online|the site|the forum|the community|their job|town)\b",
          unless=_DEFENSIVE),
    _rule("harassment", "subhuman",
          r"\b(is|are|as)\s+(\w+\s+)?(subhuman|vermin|parasites|cockroaches|animals|a disease|a plague)\b.{0,40}?|"
          r"\bsubhuman\b",
          unless=_DEFENSIVE + r"|histor\w*|analy[sz]\w*|study|research\w*|recogni[sz]\w*|nazi propaganda used"),
    _rule("harassment", "dehumanise", r"\bdehumani[sz]\w*",
          unless=_DEFENSIVE + r"|histor\w*|analy[sz]\w*|study|studies|research\w*|recogni[sz]\w*"),
    _rule("harassment", "intimidate_witness", r"\b(intimidat\w*|threaten\w*|silenc\w*)\s+(a\s+|the\s+)?"
          r"(witness\w*|journalists?|whistle-?blowers?|victims?|ex|critics?)\b",
          unless=_DEFENSIVE),
    # --- child_sexual ---
    _rule("child_sexual", "sexual_minor",
          r"\b(sex\w*|erotic\w*|explicit|nsfw|lewd|porn\w*|nude\w*|naked|seductive\w*|flirt\w*|"
          r"romantic roleplay|intimate (roleplay|photos?|images?))\b.{0,60}?\b(minors?|child(ren)?|kids?|"
          r"underage|under[- ]?aged?|pre-?teens?|teens?|teenagers?|tweens?|(1[0-7]|[1-9])[- ]?(year[- ]olds?|"
          r"yo)|schoolgirls?|schoolboys?|schoolchildren|school ?kids|pupils|loli|shota|little (girls?|boys?)|"
          r"13|14|15|16|17|(in |at )?(primary|elementary|middle|junior high) school|in (year|grade) [1-9])\b|"
          r"\b(minors?|child(ren)?|kids?|underage|pre-?teens?|teens?|teenagers?|(1[0-7]|[1-9])[- ]?"
          r"year[- ]olds?|schoolgirls?|schoolboys?|schoolchildren|school ?kids|"
          r"pupils)\b.{0,60}?\b(sexual\w*|erotic\w*|sexually explicit|"
          r"nsfw|lewd|porn\w*|nude\w*|naked|seductive\w*)\b",
          unless=r"sex(ual)?[- ]?(health|education|ed\b|abuse prevention)|safeguard\w*|child protection|"
                 r"protect\w*|report\w*|detect\w*|moderat\w*|classif\w*|prevent\w*|consent education|"
                 r"puberty|relationships? education|survivors?|age[- ]appropriate|refus\w*|block\w*|"
                 r"flag\w*|filter\w*"),
    _rule("child_sexual", "csam_terms",
          r"\b(loli(con)?|shota(con)?|CSAM|child (porn\w*|sexual abuse material|sexual content|erotica))\b",
          unless=r"detect\w*|report\w*|moderat\w*|classif\w*|prevent\w*|hash\w*|block\w*|flag\w*|"
                 r"filter\w*|refus\w*|protect\w*"),
    _rule("child_sexual", "grooming",
          r"\bgroom\w*\b.{0,40}?\b(child(ren)?|minors?|kids?|teens?|teenagers?)\b",
          unless=r"detect\w*|recogni[sz]\w*|prevent\w*|safeguard\w*|warning signs|protect\w*|report\w*|"
                 r"educat\w*|parents?|dogs?|pets?|hair|refus\w*|flag\w*|moderat\w*"),
    # --- political_persuasion ---
    _rule("political_persuasion", "persuade_voters",
          r"\b(nudg\w*|steer\w*|push\w*|persuad\w*|convinc\w*|sway\w*|influenc\w*|"
          r"manipulat\w*|target\w*|win over|micro-?target\w*)"
          r"\b.{0,40}?\b(voters?|electorate|swing seats?|marginal seats?|constituents|undecided)\b",
          unless=r"neutral|non-?partisan|balanced|impartial|regist\w*|enrol\w*|where to vote|how to vote|"
                 r"polling (places?|stations?|booths?)|accessib\w*|fact[- ]check\w*|detect\w*|research\w*"),
    _rule("political_persuasion", "election_falsehoods",
          r"\b(misleading|false|fake|made-up|fabricated|untrue)\s+(\w+\s+)?(posts?|claims?|messages?|"
          r"information|news|stories|rumou?rs?|texts?)\b.{0,60}?\b(vot\w*|ballots?|elections?|polling|"
          r"candidates?|referendum)\b",
          unless=_DEFENSIVE + r"|fact[- ]check\w*|debunk\w*|correct\w*|research\w*|media literacy|spot\w*"),
    _rule("political_persuasion", "tell_how_to_vote",
          r"\b(you should|you must|you need to|definitely|make sure (you|to)|be sure to|I recommend|"
          r"I'?d recommend|I urge you to|don'?t)\s+(\w+\s+)?vot(e|ing) (for|against)\b",
          roles=("system", "assistant"), check_negation=False),
    _rule("political_persuasion", "steer_vote",
          r"\b(steer\w*|push\w*|nudg\w*|lead\w*|encourag\w*|persuad\w*|urg\w*|remind\w*)\b.{0,50}?"
          r"\b(towards?|into)?\s*vot(e|es|ing) (for|against) (the\s+)?(?!(the )?(candidate|party) of (your|their) choice)\w+",
          unless=r"neutral|non-?partisan|impartial|balanced|regist\w*|enrol\w*|whichever|any (party|candidate)|"
                 r"of (your|their) choice"),
    _rule("political_persuasion", "vote_for",
          r"\bvot(e|es|ing)\s+for\s+(our|my|the|their)\s+(party|candidate|campaign|side|leader)\b"),
    _rule("political_persuasion", "campaign_propaganda",
          r"\b((political|election|electoral|partisan|candidate'?s?)\s+(campaign\w*|ads|advertis\w*|"
          r"messaging|messages|propaganda|talking points)|attack ads|propaganda|astroturf\w*|"
          r"election (disinformation|misinformation|interference)|voter suppression|talking points|"
          r"sock ?puppets?|fake (grassroots|citizens?'?|supporters?'?|voters?'?) (accounts|posts|profiles))\b",
          unless=_DEFENSIVE + r"|fact[- ]check\w*|research\w*|histor\w*|analy[sz]\w*|media literacy|"
                 r"neutral|non-?partisan|balanced|impartial|explain\w*|teach\w*|"
                 r"(product|sales|marketing|brand|support)\s+talking points"),
    _rule("political_persuasion", "always_favour",
          r"\b(always|only|consistently)\s+(favou?r\w*|prais\w*|support\w*|promot\w*|endors\w*|"
          r"present\w* positively)\b.{0,30}?\b(party|parties|candidates?|politicians?|Labor|Liberals?|"
          r"Greens|Democrats?|Republicans?|Conservatives?|Tor(y|ies)|government)\b"),
    _rule("political_persuasion", "suppress_vote",
          r"\b(discourag\w*|deter\w*|suppress\w*|stop\w*|keep\w*)\b.{0,30}?\b(from voting|"
          r"vot(e|ing|ers?)\b|turnout)\b",
          unless=r"neutral|non-?partisan|regist\w*|enrol\w*|polling|informat\w*|where|how to vote|"
                 r"research\w*|detect\w*|counter\w*|prevent\w*|record\w* of|track\w* of"),
    # --- discrimination ---
    _rule("discrimination", "exclude_protected",
          r"\b(reject\w*|screen\w* out|filter\w* out|exclud\w*|rank\w* (\w+ )?lower|score\w* (\w+ )?lower|"
          r"penali[sz]\w*|downgrad\w*|deprioriti[sz]\w*|disqualif\w*|avoid (hiring|employing|renting|"
          r"lending|promoting)|(don'?t|do not|never|not) (hire|employ|promote|shortlist|rent to|lend to|"
          r"serve|interview)|den(y|ies|ied|ying)|declin\w*|prefer\w*|favou?r\w*|only (hire|shortlist|accept|"
          r"consider|interview|recommend|select|promote|pick|approve))\b.{0,60}?\b(women|"
          r"woman|female|males?|men|pregnan\w*|mothers?|"
          r"older (candidates|applicants|workers|people)|elderly|over (40|45|50|55|60|forty|fifty|sixty)|"
          r"aged? (over|above)|young(er)? (candidates|applicants|men|women|people|workers)|race|racial|"
          r"black|white (candidates|applicants|people|men|women)|asians?|hispanics?|latin[oax]s?|"
          r"aboriginal|indigenous|muslims?|jew(s|ish)|christians?|hindus?|religio\w*|disab\w*|wheelchair|"
          r"gay|lesbians?|trans(gender)?|LGBT\w*|queer|ethnic\w*|nationalit\w*|immigrants?|"
          r"foreign[- ](sounding|born)|accents?|married|single parents?|caste|skin colou?r)\b",
          unless=r"bias audit|audit\w*|detect\w*|reduc\w*|mitigat\w*|without regard|regardless of|"
                 r"not based on|never based on|no matter|equal opportunit\w*|anti-?discriminat\w*|"
                 r"fair\w*|inclusiv\w*|accommodat\w*|reasonable adjustments?|complian\w*|illegal|"
                 r"unlawful|protected (attributes?|characteristics?)|support\w* (for|of)"),
    _rule("discrimination", "disadvantage_protected",
          r"\b(women|female|pregnan\w*|mothers|older (candidates|applicants|workers|people|customers)|"
          r"black|asians?|hispanics?|aboriginal|indigenous|muslims?|jewish|religio\w*|disab\w*|gay|"
          r"lesbians?|trans(gender)?|LGBT\w*|ethnic\w*|immigrants?|refugees?|migrants?)\b.{0,50}?"
          r"\b(end up (at the )?(bottom|last)|at the bottom|rank(ed)? (last|lower)|scor(e|ed) lower|"
          r"less often|fewer (interviews|offers|loans|approvals)|higher (\w+ )?(rates|prices|premiums|interest)|"
          r"(auto-?)?reject\w*|screened out|filtered out|excluded|weeded out)\b|"
          r"\b(less often|less likely|at the bottom|lower scores?|higher (\w+ )?(rates|prices|premiums))\b.{0,50}?"
          r"\b(for|to) (applicants|candidates|customers|tenants|people|borrowers) (from|who are|with)\s+"
          r"(\w+\s+){0,2}(women|female|black|asian|hispanic|aboriginal|indigenous|muslim|jewish|religio\w*|"
          r"disab\w*|gay|trans\w*|ethnic\w*|immigrant\w*|refugee\w*|migrant\w*|older|elderly)\b",
          unless=r"bias audit|audit\w*|detect\w*|measur\w*|monitor\w*|check\w*|whether|reduc\w*|mitigat\w*|"
                 r"fair\w*|prevent\w*|research\w*|statistic\w*|report\w*|analy[sz]\w*|historically"),
    _rule("discrimination", "sounding_names",
          r"\b(foreign|african|asian|arabic|arab|muslim|jewish|ethnic|black|indian|chinese|hispanic|"
          r"non-?english|unusual)[- ]sounding names\b",
          unless=r"bias audit|audit\w*|detect\w*|measur\w*|reduc\w*|mitigat\w*|fair\w*|prevent\w*|"
                 r"research\w*|regardless|pronounc\w*|blind"),
    _rule("discrimination", "biased_towards",
          r"\b(biased|bias)\s+(towards?|against|in favou?r of)\b",
          unless=r"detect\w*|reduc\w*|audit\w*|mitigat\w*|check\w*|measur\w*|avoid\w*|remov\w*|"
                 r"without|free|test\w*|identif\w*|flag\w*|correct\w*|prevent\w*|no\b|not\b"),
    # --- ai_deception ---
    _rule("ai_deception", "claim_human",
          r"\b(pretend\w*|claim\w*|say\w*|insist\w*|convinc\w*|pos(e|es|ing)|pass\w*(\s+\w+)?\s+off|"
          r"act\w* as if|make\w* (users|customers|people|them|callers|patients|fans) (think|believe|feel)|"
          r"tell\w* (users|customers|people|them|callers|fans|patients))\b.{0,40}?"
          r"\b(is|are|am|'s|be|being|as)\s+((talking|speaking|chatting)\s+(to|with)\s+)?"
          r"(an?\s+)?(real\s+)?(human|person|human being|flesh and blood)\b(?!\s+resources)|"
          r"\b(is|are|am|be|being)\s+(an?\s+)?real\s+(nurse|doctor|agent|employee|staff member|woman|man|girl|"
          r"boy|lawyer|teacher|therapist|person)\b|"
          r"\b(respond\w*|repl(y|ies|ying)|answer\w*|act\w*|chat\w*|present\w*|talk\w*)\s+(to\s+\w+\s+)?"
          r"as\s+(a|an|our)\s+(real\s+)?human\b|"
          r"\b(pretend\w*|claim\w*|say\w*|insist\w*|tell\w* \w+)\b.{0,60}?\bnot\s+(an?\s+)?(ai|bot|robot|"
          r"machine|chatbot|language model|virtual assistant|computer( program)?|program|software|automated)\b",
          unless=r"always (disclose|say|state|tell)|disclos\w*|transparen\w*|hand\w* (off|over)|"
                 r"escalat\w*|transfer\w*|connect\w*|speak (to|with) a|talk (to|with) a|"
                 r"request\w* (a|an)|ask\w* for (a|an)"),
    _rule("ai_deception", "pretend_to_be_someone",
          r"\b(pretend\w*|claim\w*|pos(e|es|ing)|masquerad\w*)\s+(to be|as)\s+(the\s+|our\s+|a\s+|an\s+|my\s+)?"
          r"(late\s+|deceased\s+|dead\s+|former\s+|real\s+|licen[cs]ed\s+|registered\s+|qualified\s+)?"
          r"(founder|ceo|president|prime minister|doctor|nurse|lawyer|solicitor|psychologist|therapist|"
          r"police officer|celebrity|politician|relative|mother|father|grandmother|grandfather|"
          r"(?-i:[A-Z][a-z]+ [A-Z][a-z]+))\b",
          unless=r"never|must not|should not|shouldn'?t|do not|don'?t|detect\w*|scam\w*|fraudster\w*|"
                 r"roleplay exercise|training scenario"),
    _rule("ai_deception", "really_them",
          r"\b(it is|it'?s|I am|I'?m|they are talking to|this is|you are talking to)\s+(really|actually|truly|"
          r"genuinely)\s+(him|her|them|me|the real|[A-Z][a-z]+)\b",
          roles=("use_case", "system")),
    _rule("ai_deception", "hide_ai",
          r"\b(never|don'?t|do not|must not|should not|shouldn'?t|won'?t|without)\s+(ever\s+)?(reveal\w*|"
          r"disclos\w*|admit\w*|tell\w*|mention\w*|acknowledg\w*|let on|confirm\w*|say\w*)\b.{0,40}?"
          r"\b((it is|it'?s|you are|you'?re|that (it|you) (is|are)|being) (an? )?(ai|a\.i\.|bot|chatbot|robot|"
          r"machine|artificial|language model|llm|virtual)|artificial intelligence|an? (ai|bot|chatbot))\b",
          check_negation=False),
    _rule("ai_deception", "deny_ai",
          r"\b(deny|denies|denying)\b.{0,30}?\b(being|it is|it'?s|that (it|you) (is|are)|you are) "
          r"(an? )?(ai|bot|chatbot|artificial|machine|language model|automated|computer|program)",
          unless=r"never deny"),
    _rule("ai_deception", "as_if_written_by",
          r"\bas if (they|it|he|she) (were|was|had been) (written|said|posted|sent|spoken|signed) by\b|"
          r"\bas if (he|she|they) (had )?(said|wrote|written|posted|sent|signed)( (them|it))?\b|"
          r"\b(written|posted|sent|signed) by [A-Z][a-z]+ [A-Z][a-z]+ (himself|herself|themselves)\b"),
    _rule("ai_deception", "impersonate",
          r"\bimpersonat\w*|\bdeep-?fakes?\b|\bvoice[- ]clon\w*|\bclone\w* (the |a |an )?(voice|persona|"
          r"identity) of\b",
          unless=_DEFENSIVE + r"|scams?|scammers?|fraudsters?|spot\w*|suspicious"),
    _rule("ai_deception", "ai_says_human",
          r"\b(i am|i'?m)\s+(a\s+)?(real\s+)?(human(?!\s+resources)( being)?|person|real person|"
          r"flesh and blood)\b|\b(i am|i'?m)\s+not\s+(an?\s+)?(ai|bot|robot|chatbot|machine|language model)\b",
          roles=("assistant",)),
    _rule("ai_deception", "system_says_human",
          r"\byou are\s+(a\s+)?(real\s+)?(human(?!\s+resources)( being)?|person|real person)\b|"
          r"\byou are not\s+(an?\s+)?(ai|bot|robot|chatbot|machine|language model)\b",
          roles=("system",)),
    # --- privacy_violation ---
    _rule("privacy_violation", "harvest_pii",
          r"\b(scrap\w*|harvest\w*|mine|mining|aggregat\w*|hoover\w*|crawl\w*)\b.{0,50}?\b(personal (data|"
          r"info\w*|details)|PII|e-?mail addresses|phone numbers|home addresses|social security numbers?|"
          r"SSNs?|dates? of birth|profiles|contact details|health (data|conditions|records)|"
          r"photos of (people|individuals|strangers)|emails|usernames|diagnos\w*|medical conditions)\b",
          unless=r"consent\w*|opt[- ]in|redact\w*|anonymi[sz]\w*|pseudonymi[sz]\w*|de-?identif\w*|"
                 r"protect\w*|minimi[sz]\w*|GDPR|CCPA|HIPAA|privacy (law|policy|notice)|data subject|"
                 r"complian\w*|detect\w*|prevent\w*|block\w*"),
    _rule("privacy_violation", "details_of_critics",
          r"\b(names?|home addresses|addresses|phone numbers|schools|workplaces|employers|daily routines|"
          r"families|children)\b.{0,60}?\b(of|for|about)\s+(everyone|every person|anyone|people|all (the )?"
          r"(users|people|reviewers|critics|customers|protesters))\s+who\b",
          unless=r"consent\w*|opt(ed)?[- ]in|redact\w*|anonymi[sz]\w*|protect\w*|GDPR|prevent\w*|"
                 r"registered|signed up|booked|enrolled|subscribed|ordered|purchased|attend\w*"),
    _rule("privacy_violation", "dossier",
          r"\b(build\w*|compil\w*|creat\w*|assembl\w*)\s+(\w+\s+)?(dossiers?|profiles?)\s+(on|of|about)\s+"
          r"(individuals|people|specific people|persons|strangers|journalists|activists|employees|"
          r"(ex-?)?partners?|targets)\b",
          unless=r"consent\w*|own (customers|users) who|with their"),
    _rule("privacy_violation", "doxx", r"\bdox(x)?\w*", unless=_DEFENSIVE),
    _rule("privacy_violation", "covert_tracking",
          r"\b(track\w*|monitor\w*|record\w*|read\w*|spy\w*|locat\w*|follow\w*|surveil\w*|watch\w*|"
          r"listen\w*|log\w*)\b.{0,50}?\b(secretly|covertly|without (them|their|his|her|the person'?s?|"
          r"the employees'?|employees'?|the user'?s?) (knowing|knowledge|consent|permission)|"
          r"without (consent|permission))\b|\b(secretly|covertly)\s+(track|monitor|record|read|spy|locate|"
          r"follow|watch|listen|log)\w*",
          unless=r"protect\w*|prevent\w*|detect\w*|victims?|report\w*|anti-|illegal|refus\w*"),
    _rule("privacy_violation", "spy_on", r"\b(spy\w*\s+on|stalk\w*|stalkerware)\b",
          unless=_DEFENSIVE + r"|victims?|anti"),
    _rule("privacy_violation", "unmask",
          r"\b(find\w*|locat\w*|uncover\w*|reveal\w*|identif\w*|work\w* out|discover\w*|unmask\w*|track\w* down)"
          r"\b.{0,30}?\b(someone'?s?|a person'?s?|people'?s?|strangers'?|anonymous (users?|accounts?|posters?|"
          r"critics?)|(his|her|their) (real|true)|the real)\s*(\w+\s+)?(home address\w*|real names?|"
          r"real identit\w*|identit\w*|whereabouts|location)\b",
          unless=r"own|lost|forgot\w*|account recovery|verify\w* (your|their) own|consent\w*|"
                 r"refus\w*|protect\w*|prevent\w*"),
    _rule("privacy_violation", "who_is_behind",
          r"\b(who|the (person|people)) (is|are) (really )?behind\b.{0,20}?\b(anonymous|pseudonymous|burner)\b",
          unless=r"refus\w*|protect\w*|law enforcement|court order"),
    _rule("privacy_violation", "address_of_person",
          r"\b(figur\w* out|work\w* out|find\w*|locat\w*|get\w*|track\w* down|uncover\w*)\s+(the\s+|their\s+|"
          r"his\s+|her\s+)?(home\s+)?(address|whereabouts|street|house)\s+(of|for)\s+(a|an|the|this|that|my|"
          r"our|some)\s+(\w+\s+)?(youtuber|streamer|influencer|journalist|person|woman|man|girl|boy|user|"
          r"critic|celebrity|reviewer|ex|neighbou?r|stranger|blogger|activist|employee|customer)\b",
          unless=r"own|consent\w*|refus\w*|protect\w*|prevent\w*|deliver\w*|ship\w*|billing|postal"),
    _rule("privacy_violation", "reidentify", r"\bre-?identif\w*",
          unless=r"prevent\w*|risk\w*|protect\w*|avoid\w*|assess\w*|resist\w*|against|test\w* for"),
    _rule("privacy_violation", "face_search",
          r"\bfacial recognition\b.{0,40}?\b(strangers|people in (the )?(street|public|crowds?)|"
          r"identify (people|strangers|anyone|individuals))\b"),
    # --- regulated_advice (review) ---
    _rule("regulated_advice", "without_professional",
          r"\b(diagnos\w*|prescri\w*|treat\w*|dos(e|es|age|ing)|legal advice|investment advice|"
          r"financial advice|therapy|medical advice|court filings?)\b.{0,60}?\b(without|instead of|"
          r"replac\w*|no need for|rather than)\s+(an? |the |any |their |our )?(doctor|clinician|physician|"
          r"GP|pharmacist|nurse|lawyer|solicitor|attorney|adviser|advisor|therapist|psychologist|"
          r"professional|human (review|oversight|in the loop))s?\b"),
    _rule("regulated_advice", "replace_professional",
          r"\b(replac\w*|instead of|substitut\w* for)\s+(an? |the |our |their )?(doctors?|GPs?|"
          r"clinicians?|physicians?|lawyers?|solicitors?|therapists?|psychologists?|psychiatrists?|"
          r"financial advisers?|financial advisors?)\b",
          roles=("use_case", "system")),
    # --- adult_content (review) ---
    _rule("adult_content", "explicit",
          r"\b(erotic\w*|porn\w*|sexually explicit|nsfw|sexting|smut\w*|explicit sex\w*|"
          r"adult (content|roleplay|chat|stories)|hentai|x-rated)\b",
          unless=_DEFENSIVE + r"|remov\w*|no\b|not\b|safe for work"),
    # --- dual_use_security (review) ---
    _rule("dual_use_security", "offensive_security",
          r"\b(penetration test\w*|pen-?test\w*|red[- ]team\w*|capture[- ]the[- ]flag|(?-i:CTF)|"
          r"exploit (development|writing)|proof[- ]of[- ]concept exploits?|fuzz(ing|er)|"
          r"reverse[- ]engineer\w* (malware|binaries|samples|firmware)|malware analysis|"
          r"phishing simulations?|simulated phishing|offensive security)\b",
          check_negation=False),
)

RULE_CATEGORIES = frozenset(r.category for r in RULES)

def rule_hits(text: str, role: str) -> list[tuple[Rule, str]]:
    """Every rule that matches ``text`` in ``role``, with the matched words."""
    hits = []
    for rule in RULES:
        if role not in rule.roles:
            continue
        matched = rule.find(text)
        if matched is not None:
            hits.append((rule, matched))
    return hits
