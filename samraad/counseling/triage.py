"""Risk triage of a young person's message, in Danish, as a pure function.

`score_message(text)` returns an `Assessment`: a level (``normal``, ``elevated`` or ``critical``),
a score between 0 and 1, short Danish reasons for the counselor and the category keys behind them.
No database, no Django: the rules are plain data compiled once at import, so tests can call the
function thousands of times a second and a counselor can read why a message was flagged.

How a message is read:

1. Normalised: Unicode NFKC, lower case, repeated letters collapsed ("doooo" -> "do"), æ/ø/å
   spelled out as ae/oe/aa (so "slaar", "slår" and "slar" meet), everything that is not a letter
   or digit dropped (emoji, punctuation). Sentence marks and "men" split the text into clauses.
2. Every pattern is a short phrase of word stems with small gaps ("skære ~3 mig|arm*"), written in
   ordinary Danish and folded the same way as the text. Words with æ/ø/å also match their
   stripped form ("dø" matches "doe" and "do").
3. A match is dropped when it is negated in its clause ("jeg vil ikke dø"), when it is about a
   film, a dream or a game, or when it belongs to an idiom ("min mor slår mig ihjel hvis ...").
   Matches whose subject is someone else ("min veninde cutter") count as a friend at risk.
4. Category rules combine signals found within two clauses of each other: a wish to die is
   ``elevated``; with a means, a plan, a time or a place it is ``critical``. The same holds for
   self-harm (now, or bleeding that will not stop), violence and sexual abuse (now, tonight, a
   weapon, an injury), sextortion (a threat to share pictures) and a night with nowhere to sleep.

The rules are a first line of triage to order the queue, not a diagnosis; see docs/triage.md.
"""

from __future__ import annotations

import functools
import logging
import math
import re
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from samraad.counseling import triage_model
from samraad.counseling.triage_model import fold

logger = logging.getLogger(__name__)

LEVELS = ("normal", "elevated", "critical")
_RANK = {level: index for index, level in enumerate(LEVELS)}


@dataclass(frozen=True)
class Assessment:
    """What triage concluded about one message."""

    level: str
    score: float
    reasons: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()


def max_level(a: str, b: str) -> str:
    """Returns the more urgent of two levels; an unknown level counts as ``normal``."""
    return a if _RANK.get(a, 0) >= _RANK.get(b, 0) else b


NORMAL = Assessment("normal", 0.0)

# ---------------------------------------------------------------------------------------------
# Normalisation
# ---------------------------------------------------------------------------------------------

# Folding is shared with the model's features, so that rules and model read the same words.
_fold = fold
_STRIP_DANISH = str.maketrans({"æ": "e", "ø": "o", "å": "a"})
_CLAUSE_MARKS = re.compile(r"[.!?;:,\n\r\u2026\u2022|]+")
_NOT_WORD = re.compile(r"[^a-z0-9]+")
_MEN = re.compile(r"(?<!\S)men(?!\S)")
# A message longer than this is scored on its start and its end: a chat message is short, and a
# pasted wall of text must still be scored in a few milliseconds.
_MAX_CHARS = 20_000


def normalise(text: str) -> list[list[str]]:
    """Returns the message as clauses of folded word tokens (see the module docstring)."""
    if len(text) > _MAX_CHARS:
        half = _MAX_CHARS // 2
        text = text[:half] + "\n" + text[-half:]
    folded = _fold(text)
    clauses: list[list[str]] = []
    for part in _CLAUSE_MARKS.split(folded):
        words = _NOT_WORD.sub(" ", part).strip()
        # "men" (but) starts a new clause: negation and hedging do not carry across it.
        for piece in _MEN.split(words):
            tokens = piece.split()
            if tokens:
                clauses.append(tokens)
    return clauses


# ---------------------------------------------------------------------------------------------
# Pattern language
# ---------------------------------------------------------------------------------------------
# A pattern is a phrase of tokens separated by spaces:
#   word        the folded word exactly        word*   the word as a prefix    *word   as a suffix
#   a|b|c       any of these                   @name   any word of a macro below
#   #           any number                     #5, #18 any number of at least 5, 18
#   ~N          up to N other words may come between the neighbours
#   !a|b        (last) the word after the match must not be one of these

# Folding "nøgen" to "nogen" would turn "someone" into "naked"; these stripped forms are skipped.
_NO_STRIPPED_VARIANT = frozenset({"nogen", "for", "nogle", "mor", "bor", "gor"})


@functools.cache
def _word_forms(word: str) -> frozenset[str]:
    forms = {_fold(word)}
    if any(letter in word for letter in "æøå"):
        stripped = _fold(word.translate(_STRIP_DANISH))
        if stripped not in _NO_STRIPPED_VARIANT:
            forms.add(stripped)
    return frozenset(forms)


_NUMBER_WORDS_5_UP = (
    "fem seks syv otte ni ti elleve tolv tretten fjorten femten seksten sytten atten nitten tyve "
    "tredive fyrre halvtreds tres hundrede"
)

_MACROS: dict[str, str] = {
    "neg": "ikke ik aldrig ingen intet ej not never hverken",
    "first": "jeg jg je jeh man",
    "third": (
        "hun han de sig hende ham ven vennen veninde veninden venner veninder kammerat kammeraten "
        "kammerater søster søsteren bror broren kæreste kæresten fætter kusine klassekammerat "
        "lillebror lillesøster storebror storesøster mor far moren faren"
    ),
    "agent": (
        "far faren fatter mor moren stedfar stedmor bonusfar bonusmor papfar papmor forældre bror "
        "broren storebror søster onkel moster faster morfar farfar mormor farmor kæreste kæresten "
        "ekskæreste ex han hun de manden fyren"
    ),
    "parent": "far faren fatter mor moren stedfar stedmor bonusfar bonusmor papfar papmor forældre forældrene",
    "victim": "mig os mor far bror søster lillebror lillesøster storebror storesøster hende søskende",
    "hit": (
        "slår slog slået slå slaar slaa tæsker tæskede tæsket tæske banker bankede banket sparker "
        "sparkede sparket sparke kvæler kvalte kvalt kvæle skubber skubbede smider smed hiver river "
        "stikker stak"
    ),
    "med": (
        "pille piller pillerne *piller *pillerne tablet* panodil* pamol* ipren* paracetamol* "
        "ibuprofen* stesolid* medicin* *medicin lykkepille* antidepressiv* kodimagnyl* tramadol* "
        "xanax* benzo* oxy* morfin* treo* mogadon* truxal* quetiapin* melatonin*"
    ),
    # Enough pills to be an overdose: "alle", "en hel pakke", "30".
    "qty": (
        "alle hel hele plade pladen plader karton kartonen masse mange halv pakke pakken pakker glas glasset "
        "bøtte bøtten bøtter æske æsken æsker #5 " + _NUMBER_WORDS_5_UP
    ),
    "takepast": "taget tog slugt slugte spist spiste indtaget drukket drak proppet",
    "meansnoun": "reb rebet løkke løkken kniv kniven knive barberblad* blade bladet pistol* gevær* @med",
    "poison": (
        "rengøringsmiddel* klorin gift rottegift afløbsrens frostvæske blegemiddel opvaskemiddel *middel "
        "lampeolie benzin"
    ),
    "presence": "står staar sidder sider er ligger lagt lægger venter gået kravlet klatret stod sad vej sat",
    "img": (
        "nudes nude nøgen* nøgne billede billeder billedet billederne video videoen videoer videoerne "
        "pics pic foto* dickpic* *billeder *billede *video *videoen snaps"
    ),
    "nudeimg": (
        "nudes nude nøgen* nøgne dickpic* *billeder *billede *video *videoen intime frække pik pikken *pik "
        "diller dick bryster patter tissemand kusse fisse undertøj"
    ),
    "share": (
        "dele deler delt delte sende sender sendt sendte poste poster postet vise viser vist lægge lægger "
        "lagt offentliggøre udstille sprede spreder uploade uploader"
    ),
    "game": (
        "spil spillet spiller spillede spille fortnite fifa cod gta minecraft roblox valorant cs csgo "
        "overwatch apex pubg warzone league kamp kampen fodbold* håndbold* boksning bokse* karate mma "
        "træning game gaming gamer level pvp skak"
    ),
    "media": (
        "film filmen serie serien serier bog bogen opgave opgaven dokumentar nyhederne drømte drøm "
        "drømmen mareridt sang sangen undervisning tema emne emnet gyserfilm* tiktok youtube video dansk "
        "engelsk samfundsfag biologi historie psykologi religion kristendom timen lektier"
    ),
    "playful": "pude puden puder drillede leg legede leger kilde kildede pjat spøg",
    "thought": "tænker tænkt tanker tanke overvejer overvejet overvejede fantaserer nogle nogen tit",
    "sexword": "sex knald kneppe knalde røre rørte sutte tøjet bukserne trusserne seng sengen",
}

_NUMBER = r"\d+"
_NUMBER_5_UP = r"(?:[5-9]|[1-9]\d+)"
_NUMBER_18_UP = r"(?:1[89]|[2-9]\d|[1-9]\d\d+)"
_NUMBERS = {"#": _NUMBER, "#5": _NUMBER_5_UP, "#18": _NUMBER_18_UP}


# One alternative of a token: ("word", form), ("prefix", form), ("suffix", form) or ("number", "#5").
_Alternative = tuple[str, str]


def _alternatives(spec: str) -> set[_Alternative]:
    out: set[_Alternative] = set()
    for part in spec.split("|"):
        if part.startswith("@"):
            out |= _alternatives(_MACROS[part[1:]].replace(" ", "|"))
        elif part in _NUMBERS:
            out.add(("number", part))
        else:
            kind = "prefix" if part.endswith("*") else "suffix" if part.startswith("*") else "word"
            out |= {(kind, form) for form in _word_forms(part.strip("*"))}
    return out


def _alternative_regex(alternative: _Alternative) -> str:
    kind, form = alternative
    if kind == "number":
        return _NUMBERS[form]
    return (r"\S+" if kind == "suffix" else "") + re.escape(form) + (r"\S*" if kind == "prefix" else "")


def _token(spec: str) -> str:
    # Longest first, so "pillerne" is tried before "pille"; order only matters for speed.
    unique = sorted({_alternative_regex(a) for a in _alternatives(spec)}, key=lambda a: (-len(a), a))
    return "(?:" + "|".join(unique) + ")"


def _first_token(pattern: str) -> str:
    return next(spec for spec in pattern.split() if spec[0] not in "~!")


def _compile(pattern: str) -> str:
    pieces: list[str] = []
    gap = 0
    not_next = ""
    for spec in pattern.split():
        if spec.startswith("~"):
            gap = int(spec[1:])
            continue
        if spec.startswith("!"):
            not_next = _token(spec[1:])
            continue
        if pieces:
            pieces.append(" " if gap == 0 else rf" (?:\S+ ){{0,{gap}}}")
        pieces.append(_token(spec))
        gap = 0
    regex = r"(?<!\S)" + "".join(pieces) + r"(?!\S)"
    if not_next:
        regex += rf"(?! {not_next}(?!\S))"
    return regex


@dataclass(frozen=True)
class _Signal:
    name: str
    source: str
    # A negator just before the match cancels it ("jeg har aldrig skåret mig"). Off for patterns
    # that carry their own negation ("gider ikke leve", "ingen steder at sove").
    negatable: bool
    # Whose words these are matters: the writer, or someone the writer tells about.
    personal: bool
    # Per pattern: a negator inside the match counts ("jeg skærer ikke i mig selv", "vil ikke dø")
    # unless the pattern carries a negator of its own ("gider ikke leve").
    negation_inside: tuple[bool, ...]
    # The words a match can start with: a message without any of them skips the regex.
    triggers: frozenset[_Alternative]


def _own_negator(pattern: str) -> bool:
    words = {word.strip("*!") for spec in pattern.split() for word in spec.split("|")}
    return any(_word_forms(word) & _NEGATORS for word in words if word and word[0] not in "@#~")


def _signal(name: str, *patterns: str, negatable: bool = True, personal: bool = False) -> _Signal:
    # One capturing group per pattern, so a match tells which pattern it came from.
    regex = "|".join(f"({_compile(p)})" for p in patterns)
    inside = tuple(not _own_negator(p) for p in patterns)
    triggers = frozenset(a for p in patterns for a in _alternatives(_first_token(p)))
    return _Signal(name, regex, negatable, personal, inside, triggers)


@functools.cache
def _regex(source: str) -> re.Pattern[str]:
    # Compiled on first use: all signals together take a few hundred milliseconds to compile,
    # which a one-shot `manage.py triage` or a test run should not pay up front.
    return re.compile(source)


def _words(spec: str) -> frozenset[str]:
    out: set[str] = set()
    for word in spec.split():
        out |= _word_forms(word)
    return frozenset(out)


_NEGATORS = _words(_MACROS["neg"])
_FIRST = _words(_MACROS["first"])
_THIRD = _words(_MACROS["third"])
_GAME = _words(_MACROS["game"])
_MEDIA = _words(_MACROS["media"])
_PLAYFUL = _words(_MACROS["playful"])
_THOUGHT = _words(_MACROS["thought"])
# "ved ikke", "aner ikke": not knowing is no negation of what follows.
_NOT_A_NEGATION_AFTER = _words("ved aner forstår fatter kan")
# "kan ikke stoppe med at skære", "ved ikke hvorfor jeg cutter": the negation belongs elsewhere.
_NEGATION_BLOCKERS = _words("stoppe stop lade holde hvorfor hvordan hvad om fordi når jeg jg man hvis")
_REPORTED = _words("spurgte spurgt spørger spørge")
_WRITER = _words("mig jeg jg os")
_PASSIVE = _words("bliver blev blevet")
_POSSESSIVE = _words("min mit mine din dit dine hans hendes")
_PREPOSITIONS = _words("til med for af hos om på ved fra efter mod over under uden")
_BODY = _words(
    "hovedet hoved ansigtet ansigt fjæset maven ryggen øret ørerne armen armene benet benene næsen munden "
    "kæben brystet siden halsen nakken skulderen låret hånden hænderne"
)
_HVIS = _words("hvis")
_COMPANY = _words("vi os venner vennerne veninder veninderne kammerater familien klassen")
_PLACES = frozenset({"site", "site_strong", "peril"})
# The edge of a pool or a pitch, the roof of a shed or a car: places where nothing is high.
_ORDINARY_PLACES = _words(
    "svømmebassinet bassinet poolen fodboldbanen banen skøjtebanen sengen sofaen badekarret skuret bilen "
    "garagen legehuset cykelskuret sommerhuset legepladsen stolen bordet"
)
# "tænker på at tage mit liv" is a thought, "har tænkt mig at tage mit liv" an intention.
_THOUGHT_BEFORE = _words(
    "tænker tænkt tanker tanke tankerne overvejer overvejet overvejede fantaserer drømmer googlet søgt "
    "prøvet prøvede forsøgt forsøgte bange lyst tør ville"
)

# ---------------------------------------------------------------------------------------------
# Signals
# ---------------------------------------------------------------------------------------------

_SIGNALS: tuple[_Signal, ...] = (
    # --- suicide -----------------------------------------------------------------------------
    _signal(
        "ideation",
        "selvmord*",
        "selvmords*",
        "suicid*",
        "tage|tager|tog ~1 mit ~1 liv",
        "tage|tager|tog ~1 livet ~1 af ~1 mig",
        "ende|afslutte|afslutter|slutte ~1 mit ~1 liv",
        "ende|afslutte|afslutter|slutte ~1 livet",
        "gøre ~1 en ende ~1 på ~2 liv|livet|det",
        "dræbe|dræber mig ~1 selv",
        "vil|ville|lyst|ønsker|ønske|hellere|gerne|bare|trang ~2 dø !af|hvis",
        "jeg ~1 skal ~1 dø !af|hvis",
        "ønske|ønsker|bedre|hellere ~4 var|være|er død",
        "bedre ~1 død",
        "gider|vil|orker|magter|lyst ~2 ikke|ik ~2 leve|live",
        "ikke|ik ~1 leve ~1 mere|længere",
        "hvorfor ~3 leve|live",
        "ingen ~1 grund ~2 leve",
        "vil|gider|orker|skal|lyst|ønsker|ønske|bare|magter ~3 ikke|ik ~1 være|eksistere ~1 her|til",
        "ikke|ik ~1 være ~1 her ~1 mere|længere|i",
        "er ~2 her ~1 ikke|ik ~1 mere|længere",
        "hader ~1 at ~1 leve",
        "for ~1 at ~1 dø !af|hvis",
        "orker|magter ~1 at ~1 leve ~1 mere|længere",
        "ikke|ik ~1 at ~1 være|eksistere ~1 her|til",
        "ikke|ik|aldrig ~1 var ~1 født",
        # A passive wish: "ville ønske jeg ikke var her", "gid jeg ikke var her".
        "ønske|ønsker|gid ~3 ikke|ik ~1 var|er ~1 her|til",
        "ikke|ik ~1 fandtes|eksisterede",
        "aldrig ~1 vågne|vågner",
        "vil|gider|ønsker|orker|håber ~2 ikke|ik ~1 vågne|vågner ~1 i ~1 morgen",
        "vil|gider|ønsker|orker|håber ~2 ikke|ik ~1 vågne|vågner",
        "ikke|ik ~1 er|være ~1 her ~1 i ~1 morgen",
        "ikke|ik ~1 vågne|vågner ~1 igen",
        "ikke|ik ~1 at ~1 vågne",
        "færdig ~2 livet|leve",
        "træt ~2 livet|leve",
        "sidste ~1 nat|dag|aften|gang ~2 jeg ~1 er ~1 her",
        "sidste ~1 nat|dag|aften|gang ~2 jeg ~1 lever",
        "det ~1 sidste ~1 jeg ~1 gør|skriver",
        "forsvinde ~1 for ~1 altid",
        "slå|slår|slog ~1 sig ~1 ihjel",
        "slå|slår|slog ~1 sig ~1 selv ~1 ihjel",
        "dræbe|dræber ~1 sig ~1 selv",
        "tage|tager|tog ~1 sit ~1 liv",
        "tage|tager|tog ~1 livet ~1 af ~1 sig",
        "kms",
        "kill|killing ~1 myself",
        "want|wanna ~1 die",
        "unalive*",
        "end ~1 my ~1 life",
        negatable=True,
        personal=True,
    ),
    # "slå mig (selv) ihjel" is suicide in the first person and a threat in the third person.
    _signal(
        "kill_me",
        "slå|slår|slog|slaa ~1 mig ~1 ihjel",
        "slå|slår|slog|slaa ~1 mig ~1 selv ~1 ihjel",
        "dræbe|dræber ~1 mig !selv",
        negatable=True,
        personal=True,
    ),
    _signal("attempt", "selvmordsforsøg*", "forsøgt ~2 tage ~1 mit ~1 liv", personal=True),
    _signal(
        "method",
        "hænge|hænger ~1 mig",
        "hoppe|hopper|springe|springer|kaste|kaster ~2 ud ~1 foran|fra|af",
        "hoppe|hopper|springe|springer ~1 ned ~1 fra",
        "kaste|kaster ~1 mig ~2 foran|ud",
        "køre|kører ~2 ind ~1 i ~3 træ|træet|lastbil|lastbilen|mur|muren|væg|bil",
        "drukne|drukner ~1 mig",
        "gassen|gas ~3 åben|tændt",
        "kulilte|kulos|udstødning*",
        "går|gå|løber|løbe|lægger|lægge ~2 ud|ned ~1 på|foran ~2 motorvej*|skinnerne|togskinner*|sporet|lastbil|toget",
        "går|gå ~1 ud ~1 i ~1 vandet|havet|søen|fjorden",
        "skyde|skyder ~1 mig !i|selv",
        "skyde|skyder ~1 mig ~1 selv !i",
        "overdosis|overdose",
        "pulsåre*",
        "skære|skærer ~2 halsen|håndleddene|håndled ~1 over",
        "vil|skal ~2 springe|hoppe !over|i|op|rundt|ind|på|med|af|ned|ud|til",
        "for ~1 at ~1 springe|hoppe|hænge|drukne",
        "skudt|hængt ~1 mig !i",
        "hvor ~1 mange ~3 @med ~6 dø|død|vågne|ihjel|dødelig|dødeligt",
        "hvordan ~2 dø|dør|slår ~2 man|jeg|hurtigst|hurtigt|smertefrit",
        "dø|dør ~1 hurtigst|smertefrit",
        "smertefri ~1 død|måde",
        "@med ~6 for ~1 at ~1 dø|ikke",
        negatable=True,
        personal=True,
    ),
    _signal(
        "take_them",
        "tager|tage|sluge|sluger ~1 dem",
        "tager|tage|sluge|sluger ~1 det ~1 hele",
        "tager|tage|sluge|sluger ~2 @qty ~3 @med",
        personal=True,
    ),
    _signal("pill_qty", "@qty ~2 @med", "@med ~2 @qty"),
    # "jeg hopper" means nothing by itself, and everything on a platform with a train coming.
    _signal("jump", "hopper|springer|hoppe|springe|hoppede|sprang", personal=True),
    _signal(
        "euphemism",
        "ende|ender|slutte|slutter ~1 det",
        "det ~1 ender|slutter ~2 i|nu",
        "gør|gøre ~1 jeg ~1 det",
        "gør|gøre ~1 det ~1 i|nu",
        "overstået",
        "gøre ~1 det ~1 af",
        personal=True,
    ),
    _signal(
        "farewell",
        "farvel ~2 til ~1 alle|jer|verden|nogen|mor|far|familien",
        "farvel ~1 og ~1 tak",
        "farvel ~1 for ~1 altid",
        "skrevet|sagt|sige|skriver|sender ~3 farvel",
        "tak ~1 for ~1 alt",
        "sidste ~1 besked",
        "husk ~2 elsker ~1 jer",
        "elsker ~1 jer",
        "tak ~1 for ~1 at ~1 i|du ~1 prøvede|prøvet",
        "ved ~1 i|du ~1 hvorfor",
        "det ~1 er ~1 farvel",
        negatable=True,
        personal=True,
    ),
    _signal(
        "letter", "afskedsbrev*", "selvmordsbrev*", "afskedsbesked*", "farvelbrev*", "farvelbesked*", personal=True
    ),
    _signal("letter_to", "brev|breve ~1 til ~3 mor|far|familie|familien|forældre|søster|bror|alle|dem", personal=True),
    _signal(
        "plan",
        "planlagt|planlægger|besluttet|selvmordsplan*",
        "bestemt ~1 mig",
        "har ~1 en ~1 plan",
        "gjort ~2 klar",
        "alt ~1 er ~1 klar",
        personal=True,
    ),
    _signal(
        "means",
        "reb|rebet|løkke|løkken|barberblad*|pistol*|gevær*|@med|togskinner*|skinnerne|kniv|kniven|toget|tog|motorvej*",
    ),
    _signal("noose", "løkke|løkken|reb|rebet|barberblad*|pistol*|gevær*|*gevær", personal=True),
    _signal(
        "possession",
        "købt|samlet|gemt|lagt|fundet|skaffet|stjålet ~3 @meansnoun",
        "@meansnoun ~2 klar|foran|liggende|hånden|lommen|siden|her",
        "sparet|samlet ~1 sammen|op",
        "har ~1 @qty ~2 @med",
        personal=True,
    ),
    _signal(
        "site_strong",
        "@presence ~3 kanten",
        "@presence ~3 togskinner*|skinnerne|skinerne|sporet|sporene|jernbane*|perronkanten",
        "@presence ~2 oppe ~1 på ~1 taget",
        "@presence ~2 på ~1 taget ~1 af",
        personal=True,
    ),
    _signal(
        "site",
        "@presence|går|gik ~3 broen|bro|altanen|havnen|kajen|klippen|klippekanten|motorvejsbroen|"
        "højhuset|toppen|stationen|perronen|vandet|søen|åen|fjorden|stranden|havet|motorvejen|"
        "*broen|gelænderet|rækværket|altankanten|vindueskarmen|vinduet|klinten|molen|havnemolen|isen|"
        "vandtårnet|p-huset|parkeringshuset|togbanen|jernbanen|perronkanten|jernbaneoverskæringen|brone",
        "@presence ~2 på ~1 taget",
        personal=True,
    ),
    _signal(
        "hopeless",
        "kan|orker|magter ~1 ikke|ik ~1 mere",
        "kan|orker ~1 ikke|ik ~2 holde ~2 ud",
        "kan ~1 ikke|ik ~1 klare ~2 mere",
        "meningsløs*",
        "ingen ~1 mening",
        "ikke|ik ~3 meningen",
        "hader ~1 mig ~1 selv",
        "hader ~1 mit ~1 liv",
        "ingen ~3 savne ~1 mig",
        "ingen ~3 opdage|lægge ~4 forsvandt|forsvinder|væk",
        "hvis ~1 jeg ~1 forsvandt|forsvinder|var ~1 væk",
        "vil|bare|kunne|ønsker|ønske ~2 forsvinde !ind|under|lige|ned|fra",
        "alt|alting ~2 sort",
        "ingen ~1 udvej",
        "væk ~1 fra ~1 det ~1 hele",
        "af ~1 helvede ~1 til",
        "færdig ~1 med ~2 det ~1 hele|alt|alting",
        "er ~1 så|helt|bare|fucking ~1 færdig !med",
        "græder ~3 hver|hele",
        "græder ~1 mig ~1 i ~1 søvn",
        "depression|deprimeret|depressiv|depri",
        "ondt ~1 i ~1 livet",
        "ingen ~2 gider|kan ~2 mig",
        "bedre ~1 uden ~1 mig",
        "en ~1 byrde",
        negatable=True,
        personal=True,
    ),
    # --- self-harm and overdose --------------------------------------------------------------
    _signal(
        "self_harm",
        # "cutte" folds to "cute", which is English for sweet; it counts only after "at".
        "cutter|cuttet|cuttede|cutting",
        "at ~1 cutte",
        "skal|vil ~1 cutte",
        "skære|skærer|skar|skåret|skærte ~3 mig|sig|arm|armen|armene|håndled*|ben|benene|lår*|maven|hud*|selv",
        "snit* ~3 mig|sig|arm*|håndled*|ben|benene|lår*",
        "skar|skåret|skære|skærer|snit* ~3 for ~1 dybt",
        "bløder|blod|blodet ~4 håndled*|armen|armene|låret|lårene|snittet|snittene|såret|sårene",
        "skade|skadet|skader ~2 mig ~1 selv",
        "gjort|gør ~1 mig ~1 selv ~1 skade|ondt",
        "selvskad*",
        "sh",
        "self ~1 harm*",
        "selfharm*",
        "brænder|brænde|brændte|brændt ~1 mig|sig ~1 selv",
        "risper|rispe|ridser|ridse|kradser ~1 mig|sig",
        "slår|slå|slog|slaa ~1 mig|sig ~1 selv !ihjel|for",
        "hovedet ~1 ind ~1 i ~1 væggen|muren",
        "ar ~1 på ~1 armen|armene|benene|lårene|håndleddet|håndleddene|maven",
        "mine ~1 ar",
        "fulde|fuld|dækket ~1 af ~1 ar",
        negatable=True,
        personal=True,
    ),
    _signal(
        "accident",
        "papir*",
        "uheld*",
        "finger*",
        "løg",
        "løget",
        "barbere|barberede|barberer|barbering",
        "madlavning",
        "grøntsager",
        "cyklen",
        "skar|skåret ~1 mig ~1 på",
    ),
    _signal(
        "bleeding",
        "bløder|blødningen|blodet|blod ~3 ikke|ik ~1 stoppe|stopper",
        "stopper|stoppe ~1 ikke|ik ~3 bløde",
        "ikke|ik ~1 stoppe|stopper ~3 bløde",
        "bløder ~2 vildt|meget|stadig|mega|overalt|helt|sindssygt",
        "blod ~1 over ~1 alt|overalt",
        "for|så|meget ~1 dybt",
        "besvim*",
        "svimmel",
        "hvidt|fedtet|senen|senerne",
        "sys|syes|skadestue*",
        "kan ~1 ikke|ik ~1 stoppe",
        negatable=False,
    ),
    _signal("pills_taken", "@takepast ~3 @med", personal=True),
    _signal(
        "od_sign",
        "vodka|sprut|alkohol|flaske|flasken|druk|fuld|whisky|rom|vin|rødvin",
        "svimmel|besvim*|hjertet|hjerte|dobbelt|kramper|bevidstløs",
        "kaster ~1 op",
        "mærke ~2 ben|arme|krop*",
        negatable=False,
    ),
    _signal(
        "od_taken",
        "@takepast ~3 @qty ~3 @med",
        "@takepast ~2 en ~1 overdosis",
        "overdoseret",
        "@takepast ~1 for ~1 mange",
        "@takepast ~2 alle|hele ~2 @med|pakken|glasset",
        "@takepast ~1 @qty ~2 @med",
        "har ~1 lige ~1 tage ~3 @qty ~3 @med",
        "@takepast|har ~3 @poison",
        personal=True,
    ),
    # --- sexual abuse ------------------------------------------------------------------------
    _signal(
        "sexual",
        "voldt*",
        "overgreb*",
        "seksuelt ~1 misbrug*",
        "misbrugt|misbrugte ~1 mig",
        "blev|blevet|bliver ~1 misbrugt|befamlet|udnyttet",
        "gjort|gør|gøre|gjorde ~1 ting ~1 ved ~1 mig",
        "misbruger ~1 mig",
        "rørte|rører|rørt|røre|rør ~2 mig|mine|min|hende|os",
        "befamle*",
        "beføle*",
        "tvang|tvinger|tvunget|tvinge|presset|presser|presse ~3 mig|hende ~4 @sexword",
        "tvang|tvinger|tvunget|presset|presser ~1 mig ~5 ting ~2 ikke|ik ~1 ville|vil",
        "presset|tvunget ~2 til ~3 @sexword",
        "@sexword ~4 selvom ~1 jeg ~2 nej|ikke",
        "sagde ~1 nej ~4 ikke ~1 stoppe|stoppede",
        "ville ~1 ikke ~1 stoppe ~3 nej",
        "mod ~1 min ~1 vilje",
        "incest",
        "pædofil*",
        "vil|skal ~2 voldtage",
        negatable=True,
    ),
    _signal(
        "night_visit",
        "@agent ~3 kommer|komme|går ~1 ind ~3 værelse|værelset|mig|seng|sengen",
        "inde ~2 på|i ~1 mit ~1 værelse",
        "på ~1 vej ~1 ind ~1 til ~1 mig",
        "@agent ~3 sover|ligger|kryber|kravler ~3 i|ind ~2 min ~1 seng",
        "kommer ~1 ind ~2 til ~1 mig",
        personal=True,
    ),
    _signal("night", "om ~1 natten", "i ~1 nat", "inat", "natarbejde", "nattevagt", "når ~3 sover"),
    _signal(
        "dread", "ved ~1 hvad ~1 han|der|de ~1 vil|sker|gør", "tør ~1 ikke|ik ~1 sove", "er ~2 bange", negatable=False
    ),
    _signal("rape_threat", "vil|skal|truer ~4 voldtage", negatable=True),
    # --- violence ----------------------------------------------------------------------------
    _signal(
        "violence",
        "@hit ~2 @victim !selv|ihjel|op",
        "@hit ~1 løs ~2 på ~1 mig|os",
        "får|fik|giver ~2 tæsk|bank|klø|lussing*|lussinger|øretæve*|øretæver",
        "@agent ~3 voldelig*",
        "vold ~2 hjemme|derhjemme|hjemmet",
        "@parent ~2 slås|sloges",
        "holder ~1 mig ~1 fast",
        "smadre*|smadret ~2 ting|døre|døren|alt|møbler",
        "låser|låste|lukker ~1 mig ~1 inde|ude",
        "bliver|blev|blevet ~1 slået|tæsket|banket|sparket|kvalt !ud|i",
    ),
    _signal(
        "kill_threat",
        "skyder|skyde|dræber|dræbe|myrder|myrde|stikker|stikke ~2 os|mig|mor|far|hende|ham|alle",
        "slå|slår ~2 os|hende|mor|far ~1 ihjel",
        negatable=True,
    ),
    _signal(
        "weapon_at",
        "holder|peger|truer|truede|står ~4 kniv|kniven|pistol*|gevær*|våben ~2 mod|på ~1 mig|os",
        "kniv|kniven|pistol*|gevær* ~2 mod ~1 mig|os|min|halsen",
        negatable=False,
    ),
    _signal(
        "threat",
        "følger|forfølger|fulgte ~1 efter ~1 mig",
        "truer|truede|truet ~2 mig|os|@victim",
        "truer|truede ~1 med ~1 at ~2 slå|dræbe|tæske|stikke|skade|smide|banke",
        "truer|truede ~1 med ~1 at ~1 gøre ~1 det ~1 igen",
    ),
    _signal("hiding", "gemmer|gemt|gemte ~1 mig", "låst|låste ~1 mig ~1 inde", "låst ~1 døren", "under ~1 sengen"),
    _signal("injury", "bløder", "besvim*", "svimmel", "trække ~1 vejret", "brækket", "hjernerystelse", "blod"),
    _signal("weapon", "kniv|kniven|knive|pistol*|gevær*|våben|våbnet|baseballbat|balltræ|hammer*"),
    _signal(
        "trapped",
        "kan ~1 ikke|ik ~1 komme ~1 ud|væk|hjem|derfra",
        "vil ~1 ikke|ik ~2 køre|lade ~2 mig",
        "lader ~1 mig ~1 ikke|ik ~1 gå",
        negatable=False,
    ),
    # --- grooming and sextortion ---------------------------------------------------------------
    # Threats are conditionals ("hvis jeg ikke sender flere billeder"), so negation does not cancel.
    _signal("share_img", "@share ~4 @img", "@img ~4 @share", "@img ~2 ud", negatable=False),
    _signal(
        "extort",
        "afpres*",
        "sextortion*",
        "truer|truede|truet ~3 billeder|billederne|video|videoen|nudes",
        negatable=False,
    ),
    _signal("nude", "@nudeimg", negatable=False),
    _signal("shared", "@share", "blevet|bliver ~1 delt|sendt|vist|lagt|postet", "rundt", "ude ~1 på ~1 nettet"),
    _signal("nude_shared", "@share ~2 billeder|billede|video|videoer ~1 af ~1 mig"),
    _signal(
        "coerce",
        "hvis ~1 jeg ~1 ikke|ik",
        "hvis ~1 ikke|ik",
        "ellers",
        "medmindre",
        "truer|truet|truede",
        "afpres*",
        "tvinger|tvang|tvunget",
        negatable=False,
    ),
    # Money alone is no threat ("sælger tøj for 100 kr"); next to naked pictures it is extortion.
    _signal("money", "penge|kr|kroner|betale|betaler|mobilepay", negatable=False),
    _signal(
        "adult",
        "voksen|voksne",
        "ældre ~1 fyr|mand|mænd",
        "gammel ~1 mand",
        "en ~1 mand",
        "#18 ~1 årig|år",
        "på ~1 #18",
        "lærer|læreren|træner|træneren|pædagog*",
    ),
    _signal(
        "online",
        "online",
        "nettet",
        "snap|snapchat|insta|instagram|tiktok|discord|roblox",
        "mødt ~2 på",
        "skrevet|skriver ~1 med",
    ),
    _signal(
        "secret",
        # A secret someone else imposes, not "jeg tør ikke fortælle det til min mor".
        "hemmelig*",
        "ikke|ik ~1 må ~1 sige|fortælle",
        "må ~1 ikke|ik ~1 sige|fortælle",
        "skal ~1 holde ~2 hemmeligt|tæt",
        negatable=False,
    ),
    _signal(
        "lure",
        "vil ~2 have|ha|se ~2 billeder|billede|pics|nudes|mig",
        "mødes|møde|mødt ~2 med ~1 mig|ham",
        "vil ~1 mødes",
        "henter ~1 mig",
        "sexet|sexy|lækker|frække|hot",
        "sender ~1 mig ~2 penge|gaver",
    ),
    # --- homelessness --------------------------------------------------------------------------
    _signal(
        "nowhere_sleep",
        "ingen|intet|ikke ~2 sted|steder ~2 at|hvor ~2 sove|være|tage|gå",
        "hvor ~2 jeg ~1 skal ~1 sove|være",
        "sover|sove|sovet|sov ~3 gaden|opgang*|trappeopgang*|stationen|"
        "hovedbanen|hovedbanegården|parken|bænk|kælder*|busstoppested*|udenfor|udendørs",
        negatable=False,
    ),
    _signal("nowhere_live", "ingen|intet|ikke ~2 sted|steder ~2 at|hvor ~2 bo", "hjemløs*", negatable=False),
    _signal("thrown_out", "smidt|smed|smider ~2 mig ~1 ud", "smidt ~1 ud", personal=True),
    _signal("cold_night", "midnat", "koldt", "fryser", "gaden"),
    # --- eating, bullying, substances ----------------------------------------------------------
    _signal(
        "eating",
        "anoreksi*|anorekti*|bulimi*|spiseforstyr*|overspis*|ortoreksi*",
        "kaster|kaste|kastede ~1 op ~4 efter|vilje|hvert|spist|tabe",
        "spiser ~2 ingenting|intet",
        "spiser ~1 næsten|nærmest ~1 ikke",
        "ikke|ik ~1 spist ~1 i ~2 dage|døgn|uger",
        "sulter|sulte|sultet ~1 mig",
        "tæller ~1 kalorier",
        "spiser ~1 kun ~4 om ~1 dagen|døgnet",
        "springer ~2 måltider|maden",
        personal=True,
    ),
    _signal(
        "bullying",
        "mobbet|mobber|mobbede|mobbes|mobbe|mobning|mobbeoffer",
        "griner ~1 af ~1 mig",
        "kalder ~1 mig",
        "kaldt ~2 fed|grim|klam|luder|bitch|taber|tyk",
        "bliver|blev ~1 kaldt",
        "udelukke*",
        "holder|holdt ~2 udenfor",
        "ingen ~4 sammen|lege|snakke|venner ~2 med ~1 mig",
        "hænger ~1 mig ~1 ud",
        "sviner ~1 mig",
        "alle ~1 hader ~1 mig",
        "laver ~1 sjov|grin ~1 med ~1 mig ~3 hver|hele|altid",
        "gør ~1 grin ~1 med ~1 mig",
        "driller ~1 mig ~3 hver|hele|altid",
        personal=True,
    ),
    _signal(
        "substance",
        "@parent ~3 drikker|alkoholiker|misbruger|narkoman|junkie|pilleafhængig* !kaffe|te|vand|cola|sodavand|mælk",
        "@parent ~3 tager ~1 stoffer|piller|kokain|coke",
        "@parent ~3 ryger ~1 hash|joints",
        "@parent ~3 fuld|stiv|beruset ~2 hver|altid|tit|hele",
        "@parent ~3 altid|hver|tit ~3 fuld|stiv|beruset|fulde|stive|berusede|skæve|høje",
        "drikker ~1 mig ~1 fuld ~4 hver|for|hele|tit|dagligt",
        "ryger ~2 hash|joints|pot|weed|skunk ~4 hver|dagligt|hele|stoppe",
        "kokain|coke|mdma|ecstasy|speed|amfetamin|heroin|ketamin|lsd|opioid*",
        "@med ~6 alkohol|sprut|vodka|øl|druk|drikker|drak",
        "for ~1 at ~1 mærke ~1 noget",
        "for ~1 at ~1 glemme|dulme",
        "ikke|ik ~1 stoppe ~3 drikke|ryge|tage",
        negatable=True,
    ),
    # --- redefined levels: intent, finality, places, means in use, ongoing abuse, emergencies --
    # An expressed intent to end one's own life is critical with or without a method.
    _signal(
        "intent",
        "tage|tager|ta|tag ~1 mit ~1 eget ~1 liv",
        "tage|tager|ta|tag ~1 mit ~1 liv",
        "jeg|jg|vil|skal ~2 tage|tager|ta|tag ~1 livet ~1 af ~1 mig",
        "tage|tager ~1 mig ~1 selv ~1 af ~1 dage",
        "jeg|jg|æ|a ~3 slå|slår|slaa|sla ~1 mig|mæ ~1 ihjel",
        "kms ~3 tonight|nat|aften|rn|real|fr",
        "slå|slår|slaa|sla ~1 mig|mæ ~1 selv|sjæl ~1 ihjel",
        "dræbe|dræber ~1 mig ~1 selv",
        "gøre|gør|gore|gor ~1 en ~1 ende ~1 på|paa|pa",
        "ende|ender|afslutte|afslutter|slutte|slutter|stoppe|stopper ~1 mit ~1 liv",
        "begå|begår|begaa|begar|lave ~1 selvmord",
        "selvmord*|selvmor ~4 eneste|udvej|løsning|vej",
        "eneste ~1 udvej|løsning ~3 selvmord|dø|liv",
        "unalive*|sewerslide",
        "kill|killing ~1 myself",
        "end ~1 my ~1 life",
        "end|ending ~1 it",
        "vil|skal ~1 selvmorde",
        personal=True,
    ),
    _signal(
        "finality",
        "besluttet|bestemt",
        "truffet ~3 beslutning|valg",
        "beslutning|beslutningen|valg|valget ~3 taget|truffet|endelig|endeligt",
        "min ~1 beslutning",
        "for ~1 altid|evigt",
        "er ~1 slut",
        "slut ~1 i ~1 morgen|aften|nat|dag",
        "slutter|slutte|ender|ende ~2 i ~1 morgen|aften|nat|dag",
        "sidste ~1 gang|dag|nat|aften|besked",
        "ingen ~1 vej ~1 tilbage",
        "kommer ~1 ikke|ik ~1 tilbage|hjem",
        "ingen ~2 stoppe|ændre ~1 mig|min|det",
        "intet ~3 ændre|stoppe",
        "væk ~2 i ~1 morgen",
        "i ~1 morgen ~3 væk",
        "ikke|ik ~1 være|er ~1 her ~3 morgen|efter",
        "det ~1 er ~1 farvel|tid|nu",
        "det ~1 sker ~1 i ~1 nat|aften|dag|morgen",
        negatable=False,
        personal=True,
    ),
    _signal(
        "disappear",
        "forsvinde|forsvinder !ind|under|lige|ned|fra|et|i|en",
        "væk ~2 for ~1 altid|evigt",
        "vil ~2 væk",
        "sove ~2 for ~1 evigt|altid",
        personal=True,
    ),
    # Standing at a place of danger is a danger in itself with any of these beside it.
    _signal(
        "peril",
        "kigger|kiggede|ser ~2 ned",
        "langt ~1 ned",
        "over ~1 gelænderet|rækværket|kanten|hegnet|autoværnet|rækværk|gelænder",
        "ud ~1 over ~1 kanten",
        "benene|fødderne ~4 ud|hængende|hænger|luften",
        "holder ~1 fast",
        "lade ~1 mig ~1 falde",
        "venter|lytter|hører ~3 toget|tog",
        "toget ~1 kommer",
        "næste ~1 tog",
        "tør ~1 ikke|ik ~2 ned",
        "kravlet|klatret|klatre|kravle ~2 over|ud|op",
        "ingen ~2 ved ~3 hvor|her|heroppe|derude",
        "alene",
        "dybt",
        negatable=False,
    ),
    _signal(
        "self_use",
        "bruge|bruger|bruge ~3 den|dem|det|kniven|bladet|bladene|rebet|pillerne ~3 på ~1 mig",
        "bruge|bruger ~3 på ~1 mig ~1 selv",
        "stikke|stikker ~3 i ~1 mig ~1 selv",
        "tager|tage|tag|sluger|sluge ~1 dem ~1 alle|allesammen",
        "tager|tage|tag|sluger|sluge ~1 dem ~1 alle ~1 sammen",
        "tager|tage|sluger|sluge ~2 resten",
        "sluger|sluge|tager|tage ~1 det ~1 hele",
        "ved ~2 hvad ~3 skal ~1 bruges",
        "ved ~1 hvad ~1 jeg ~1 gør ~1 med",
        "lagt ~3 på ~1 række",
        personal=True,
    ),
    _signal(
        "ongoing",
        "hver ~1 gang|dag|nat|weekend|uge|aften|morgen|eneste|mandag|tirsdag|onsdag|torsdag|fredag|lørdag|søndag",
        "hele ~1 tiden",
        "igen ~1 og ~1 igen",
        "bliver|blive ~1 ved",
        "stadig",
        "altid",
        "igen",
        "næste ~1 gang|weekend",
        "gør|gøre ~2 det ~2 igen",
        negatable=False,
    ),
    _signal(
        "sexual_now",
        "voldtager ~1 mig",
        "misbruger ~1 mig",
        # "tvinger mig til at spise broccoli" is a parent at dinner; forced to something sexual is not.
        "tvinger ~1 mig !til",
        "tvinger ~1 mig ~1 til ~4 @sexword|ting|det|ham|hende",
        "presser ~1 mig ~3 sex|ting|det",
        "rører ~1 ved ~1 mig",
        "gør ~1 ting ~1 ved ~1 mig",
        "befamler ~1 mig",
        "bliver ~1 ved ~4 selvom ~2 nej|stop",
    ),
    # Resolve that leaves no room: "ingen kan stoppe mig", "du kan ikke ændre min beslutning".
    _signal(
        "resolve",
        "kan ~2 ikke|ik ~1 stoppe|ændre ~1 mig|min ~1 beslutning",
        "ingen ~2 kan ~1 stoppe ~1 mig",
        "prøve ~1 at ~1 stoppe ~1 mig",
        "ikke|ik ~1 et ~1 råb ~1 om ~1 hjælp",
        negatable=False,
        personal=True,
    ),
    _signal(
        "assault_now",
        "hænderne ~2 om ~1 min|mors|halsen|hals",
        "kvælertag ~2 på ~1 mig",
        "@agent ~2 kvæler",
        "holder ~1 mig ~1 nede|fast",
        "kaster|smider ~3 ting ~2 efter ~1 mig",
        "sparker|smadrer ~3 døren|på ~1 døren",
        "barrikaderet*",
        "er ~2 efter ~1 mig",
        "jagter ~1 mig",
        "prøver ~1 at ~1 kvæle|slå|stikke",
        "slår ~1 løs",
        "begynder ~2 at ~1 slå",
        negatable=False,
    ),
    _signal(
        "faint",
        "besvim*",
        "faldt|falder|faldet ~1 om",
        "hjerte|hjertet ~4 underligt|mærkeligt|skævt|hurtigt|vildt",
        "blev ~2 sort",
        "vågnede ~3 gulvet",
        "syn ~2 sort",
        "kan ~1 ikke|ik ~1 stå|rejse",
        negatable=False,
        personal=True,
    ),
    _signal(
        "starving",
        "ikke|ik|intet|ingenting ~2 spist|spise|spiser|drukket",
        "kun ~1 drukket ~1 vand",
        "kun ~1 spist ~2 kiks|æble|banan",
        negatable=False,
        personal=True,
    ),
    _signal(
        "haemorrhage",
        "bløder|blødningen|blodet|blod|næseblodet|såret ~4 ikke|ik ~1 stoppe|stopper|lukke",
        "stopper|stoppe ~1 ikke|ik ~3 bløde",
        "bløder ~1 og ~1 bløder",
        "meget ~1 blod",
        "blod ~1 over ~1 det ~1 hele|alt",
        "blod ~1 overalt",
        "mistet ~2 blod",
        "kaster|kastet|kastede ~2 blod",
        "blod ~2 op",
        "bliver ~1 ved ~2 bløde|løbe",
        negatable=False,
        personal=True,
    ),
    # --- context -----------------------------------------------------------------------------
    _signal(
        "time",
        "lige ~1 nu",
        "i ~1 aften",
        "iaften",
        "i ~1 nat",
        "inat",
        "om ~1 lidt",
        "om ~2 # ~1 min*",
        "om ~1 et ~1 kvarter|øjeblik",
        "om ~1 en|et|# ~1 time|timer|kvarter",
        "snart",
        "skal ~1 til ~1 at",
        "er ~1 ved ~1 at",
        "i ~1 morgen|morgen",
        "imorgen",
        "når ~2 de|alle|mor|far ~1 sover",
        "inden ~2 kl|aften",
        "stadig",
        "på ~1 vej",
        "kommer ~1 hjem",
        negatable=False,
    ),
    _signal("now", "nu", negatable=False),
    _signal(
        "recent",
        "for ~3 lidt|kvarter|time|timer|min|minutter|halv ~1 siden",
        "for ~1 # ~1 min*",
        "har ~1 lige",
        "lige ~1 har",
        negatable=False,
    ),
    _signal(
        "past",
        "da ~1 jeg ~1 var",
        "sidste ~1 år|sommer|vinter|uge|måned|gang|jul|weekend",
        "for ~3 år|måneder|uger ~1 siden",
        "som ~1 barn|lille",
        "i ~1 aftes",
        "tidligere",
        "engang",
        "før|foer",
        "i ~1 går",
        negatable=False,
    ),
)

_BY_NAME = {signal.name: signal for signal in _SIGNALS}


class _TriggerIndex:
    """Which signals a clause can possibly match, from its words alone.

    Running some sixty regexes over every clause costs milliseconds; looking each word up in a
    few dictionaries first leaves the handful of regexes that can match at all.
    """

    def __init__(self, signals: tuple[_Signal, ...]) -> None:
        self.words: dict[str, set[int]] = {}
        self.prefixes: dict[int, dict[str, set[int]]] = {}
        self.suffixes: dict[int, dict[str, set[int]]] = {}
        self.numbers: set[int] = set()
        for number, signal in enumerate(signals):
            for kind, form in signal.triggers:
                if kind == "word":
                    self.words.setdefault(form, set()).add(number)
                elif kind == "prefix":
                    self.prefixes.setdefault(len(form), {}).setdefault(form, set()).add(number)
                elif kind == "suffix":
                    self.suffixes.setdefault(len(form), {}).setdefault(form, set()).add(number)
                else:
                    self.numbers.add(number)

    def signals_for(self, token: str) -> tuple[int, ...]:
        """Numbers of the signals whose patterns can start with `token`."""
        found: set[int] = set(self.words.get(token, ()))
        for length, table in self.prefixes.items():
            if len(token) >= length:
                found |= table.get(token[:length], set())
        for length, table in self.suffixes.items():
            if len(token) > length:
                found |= table.get(token[-length:], set())
        if token.isdigit():
            found |= self.numbers
        return tuple(sorted(found))

    def starts(self, tokens: list[str]) -> dict[int, list[int]]:
        """For each signal that can match, the token positions where a match can start."""
        out: dict[int, list[int]] = {}
        for position, token in enumerate(tokens):
            for number in _signals_for(token):
                out.setdefault(number, []).append(position)
        return out


_INDEX = _TriggerIndex(_SIGNALS)


@functools.lru_cache(maxsize=65536)
def _signals_for(token: str) -> tuple[int, ...]:
    # Chat words repeat endlessly ("jeg", "og", "ikke"), so the lookup is cached per word.
    return _INDEX.signals_for(token)


# ---------------------------------------------------------------------------------------------
# Hits
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Hit:
    name: str
    clause: int
    start: int
    end: int
    third_person: bool


def _negated(tokens: list[str], start: int, end: int) -> bool:
    """True when a negator stands just before the match (or inside it, when `end` says so) and is
    not itself part of another phrase ("ved ikke hvorfor ...", "kan ikke stoppe med at ...")."""
    for index in range(max(0, start - 4), end):
        if tokens[index] not in _NEGATORS:
            continue
        if index > 0 and tokens[index - 1] in _NOT_A_NEGATION_AFTER:
            continue
        between = tokens[index + 1 : start] if index < start else []
        if any(token in _NEGATION_BLOCKERS for token in between):
            continue
        return True
    return False


def _third_person(tokens: list[str], start: int, end: int) -> bool:
    """True when the nearest subject before the match is someone other than the writer, or the
    match itself is reflexive in the third person ("skærer sig")."""
    inside = tokens[start:end]
    if "sig" in inside or "sit" in inside:
        return True
    for index in range(start - 1, max(-1, start - 9), -1):
        token = tokens[index]
        if token in _FIRST:
            return False
        if token in _THIRD:
            # "farvel til min mor og sidder ...": after a preposition it is an object, not a subject.
            before = index - 1
            if before >= 0 and tokens[before] in _POSSESSIVE:
                before -= 1
            if before >= 0 and tokens[before] in _PREPOSITIONS:
                continue
            return True
    return False


def _near(tokens: list[str], start: int, end: int, words: frozenset[str], before: int, after: int = 0) -> bool:
    return any(token in words for token in tokens[max(0, start - before) : end + after])


_HISTORY_OF = {"self_harm": "self_harm_history", "ideation": "ideation_history"}
_DURATION = re.compile(
    _compile("i ~2 dage|dag|uger|uge|måneder|måned|år|døgn|tid") + "|" + _compile("længe|mere|længere")
)
_VIOLENT = frozenset(
    {
        "violence",
        "threat",
        "kill_me",
        "kill_threat",
        "sexual",
        "sexual_now",
        "rape_threat",
        "self_harm",
        "ideation",
        "method",
        "assault_now",
    }
)


def _hits(clauses: list[list[str]]) -> list[_Hit]:
    hits: list[_Hit] = []
    for number, tokens in enumerate(clauses):
        line = " ".join(tokens)
        offsets: list[int] = []
        position = 0
        for token in tokens:
            offsets.append(position)
            position += len(token) + 1
        game = any(token in _GAME for token in tokens)
        # "vi står på broen og fisker": a place shared with others is an outing, not a danger.
        company = any(token in _COMPANY for token in tokens)
        for candidate, positions in sorted(_INDEX.starts(tokens).items()):
            signal = _SIGNALS[candidate]
            for position in positions:
                match = _regex(signal.source).match(line, offsets[position])
                if match is None:
                    continue
                start = position
                end = bisect_left(offsets, match.end())
                inside = signal.negation_inside[(match.lastindex or 1) - 1]
                if signal.negatable and _negated(tokens, start, end if inside else start):
                    # "har ikke cuttet i to uger": negated, but it tells of self-harm before.
                    if signal.name in _HISTORY_OF and _DURATION.search(" ".join(tokens[end : end + 5])):
                        hits.append(_Hit(_HISTORY_OF[signal.name], number, start, end, False))
                    continue
                if company and signal.name in _PLACES:
                    continue
                if signal.name in _PLACES and any(token in _ORDINARY_PLACES for token in tokens[start : end + 3]):
                    continue
                if signal.personal or signal.name in _VIOLENT:
                    # A film, a dream, a school assignment or a game is not the writer's life.
                    if _near(tokens, start, end, _MEDIA, before=8, after=4):
                        continue
                    if game and signal.name in _VIOLENT:
                        continue
                    # "min veninde spurgte om jeg cutter": a question put to the writer.
                    if _near(tokens, start, end, _REPORTED, before=6):
                        continue
                third = (signal.personal or signal.name in _VIOLENT) and _third_person(tokens, start, end)
                hits.append(_Hit(signal.name, number, start, end, third))
    return hits


# ---------------------------------------------------------------------------------------------
# Rules
# ---------------------------------------------------------------------------------------------

_REASONS: Mapping[tuple[str, str], str] = {
    ("suicide", "critical"): "selvmord: plan, middel eller tidspunkt nævnt",
    ("suicide", "elevated"): "selvmordstanker",
    ("overdose", "critical"): "overdosis",
    ("self_harm", "critical"): "selvskade: nu eller alvorlig blødning",
    ("self_harm", "elevated"): "selvskade",
    ("medical", "critical"): "akut: blødning eller besvimelse",
    ("sexual_abuse", "critical"): "seksuelt overgreb: nu, i nat eller truet",
    ("sexual_abuse", "elevated"): "seksuelt overgreb",
    ("violence", "critical"): "vold: sker nu, våben eller trussel på livet",
    ("violence", "elevated"): "vold eller trusler",
    ("grooming", "critical"): "grooming/sextortion: trussel om at dele billeder eller møde nu",
    ("grooming", "elevated"): "grooming/sextortion",
    ("image_abuse", "elevated"): "billeder delt uden samtykke",
    ("homeless", "critical"): "akut fare: intet sted at sove",
    ("homeless", "elevated"): "smidt ud eller uden bolig",
    ("eating_disorder", "elevated"): "spiseforstyrrelse",
    ("bullying", "elevated"): "mobning",
    ("substance", "elevated"): "alkohol eller stoffer",
    ("hopelessness", "elevated"): "håbløshed",
    ("friend_at_risk", "elevated"): "en ven eller et familiemedlem i fare",
}

# Order in which reasons are shown: the most urgent kind first.
_CATEGORY_ORDER = (
    "suicide",
    "overdose",
    "self_harm",
    "medical",
    "sexual_abuse",
    "violence",
    "grooming",
    "homeless",
    "image_abuse",
    "eating_disorder",
    "bullying",
    "substance",
    "hopelessness",
    "friend_at_risk",
)
# The kinds of risk, most urgent first: the vocabulary of `Assessment.categories`.
CATEGORIES = _CATEGORY_ORDER

# Points towards a suicide plan; "intent" signals say the writer thinks of dying, the others say
# how, where or when. Critical needs an intent and at least three points with something concrete.
_SUICIDE_POINTS = {
    "ideation": 2,
    "kill_me": 2,
    "attempt": 2,
    "method": 2,
    "letter": 3,
    "site_strong": 3,
    "site": 2,
    "euphemism": 1,
    "hopeless": 1,
    "farewell": 1,
    "letter_to": 1,
    "plan": 1,
    "means": 1,
    "noose": 2,
    "possession": 1,
    "pill_qty": 1,
    "time": 1,
}
# Standing on a bridge is a place, not an intention ("vi står på broen og spiser is"); a roof edge
# or the rails are alarming enough on their own.
_INTENT = frozenset(
    {"ideation", "kill_me", "attempt", "method", "letter", "site_strong", "euphemism", "hopeless", "farewell"}
)
_THOUGHTS_ONLY = frozenset({"ideation", "kill_me", "attempt", "hopeless", "euphemism"})
_WINDOW = 2


class _Message:
    """The hits of one message, indexed by clause, with the questions the rules ask of them."""

    def __init__(self, clauses: list[list[str]], hits: list[_Hit]) -> None:
        self.clauses = clauses
        self.hits = hits
        self.by_name: dict[str, list[_Hit]] = {}
        self.own_by_name: dict[str, list[_Hit]] = {}
        self.others_by_name: dict[str, list[_Hit]] = {}
        # Sorted clause numbers per signal, so "is there one within two clauses" is a bisection
        # and a pasted wall of text stays linear.
        self.clauses_of: dict[str, list[int]] = {}
        self.own_clauses_of: dict[str, list[int]] = {}
        self.in_clause: dict[tuple[str, int], list[_Hit]] = {}
        for hit in hits:
            self.by_name.setdefault(hit.name, []).append(hit)
            self.clauses_of.setdefault(hit.name, []).append(hit.clause)
            if hit.third_person:
                self.others_by_name.setdefault(hit.name, []).append(hit)
            else:
                self.own_by_name.setdefault(hit.name, []).append(hit)
                self.own_clauses_of.setdefault(hit.name, []).append(hit.clause)
            self.in_clause.setdefault((hit.name, hit.clause), []).append(hit)

    def own(self, name: str) -> list[_Hit]:
        """Hits of the writer about the writer."""
        return self.own_by_name.get(name, [])

    def others(self, name: str) -> list[_Hit]:
        """Hits whose subject is someone else."""
        return self.others_by_name.get(name, [])

    def any(self, name: str) -> list[_Hit]:
        return self.by_name.get(name, [])

    def nearby(self, hit: _Hit, names: Iterable[str], distance: int = _WINDOW, own: bool = False) -> set[str]:
        """Names of the signals found within `distance` clauses of `hit` (only the writer's own if
        `own`)."""
        index = self.own_clauses_of if own else self.clauses_of
        found = set()
        for name in names:
            clauses = index.get(name)
            if clauses:
                position = bisect_left(clauses, hit.clause - distance)
                if position < len(clauses) and clauses[position] <= hit.clause + distance:
                    found.add(name)
        return found

    def now_near(self, hit: _Hit, reach: int = 3) -> bool:
        """A bare "nu" right next to the hit: "jeg cutter lige nu", "står på broen nu"."""
        return any(
            hit.start - reach <= now.start <= hit.end + reach for now in self.in_clause.get(("now", hit.clause), ())
        )

    def immediate(self, hit: _Hit, distance: int = _WINDOW) -> bool:
        return bool(self.nearby(hit, ("time",), distance)) or self.now_near(hit)

    def past_in_clause(self, hit: _Hit) -> bool:
        return ("past", hit.clause) in self.in_clause

    def clause_has(self, hit: _Hit, words: frozenset[str]) -> bool:
        return any(token in words for token in self.clauses[hit.clause])


def _suicide(message: _Message, found: dict[str, tuple[int, float]]) -> None:
    personal = [name for name in _SUICIDE_POINTS if _BY_NAME[name].personal]
    impersonal = [name for name in _SUICIDE_POINTS if not _BY_NAME[name].personal]
    means_now = sorted({hit.clause for hit in message.any("means") if message.now_near(hit)})
    best = 0
    concrete_best = False
    seen: set[tuple[str, int]] = set()
    jump_sites = [hit for hit in message.own("site") if message.nearby(hit, ("jump",), own=True)]
    for name in (*_INTENT, "site"):
        for anchor in message.own(name) if name != "site" else jump_sites:
            # One anchor per signal and clause is enough, and keeps a pasted wall of text linear.
            if (name, anchor.clause) in seen:
                continue
            seen.add((name, anchor.clause))
            names = message.nearby(anchor, personal, own=True) | message.nearby(anchor, impersonal)
            if message.now_near(anchor) or _within(means_now, anchor.clause):
                names.add("time")
            elif "time" in names and not _time_outside(message, anchor):
                # "gider ikke vågne i morgen" names a day, not a plan.
                names.discard("time")
            if "pill_qty" in names and message.nearby(anchor, ("take_them",)):
                # Pills in quantity and "tager dem" is a method.
                names.add("method")
            elif message.nearby(anchor, ("take_them",)) and name in ("ideation", "euphemism", "farewell"):
                # "... så i aften tager jeg dem alle": what "dem" are is said elsewhere, the act is here.
                names.add("means")
            if "noose" in names:
                names.discard("means")
            points = sum(_SUICIDE_POINTS[n] for n in names)
            # A named method without "tænker på"/"nogle gange" is an intention, not a passing thought.
            if name == "method" and not message.clause_has(anchor, _THOUGHT):
                points += 1
            concrete = bool(names - _THOUGHTS_ONLY)
            if points > best or (points == best and concrete):
                best, concrete_best = points, concrete
    if best >= 3 and concrete_best:
        found["suicide"] = (2, best)
    elif any(message.own(n) for n in ("ideation", "kill_me", "attempt", "method", "letter", "ideation_history")):
        found["suicide"] = (1, best)
    elif message.own("hopeless"):
        found["hopelessness"] = (1, best)
    # Pills in quantity, "tager dem" and a time, without any words about dying.
    for hit in message.own("take_them"):
        if message.nearby(hit, ("pill_qty",)) and message.immediate(hit):
            found["suicide"] = (2, max(best, 3))
            break
    # "min mor slår mig ihjel" in the third person is a threat, handled as violence.
    if any(message.others(n) for n in ("ideation", "method", "attempt", "hopeless")):
        found.setdefault("friend_at_risk", (1, 1))


def _within(clauses: list[int], clause: int, distance: int = _WINDOW) -> bool:
    position = bisect_left(clauses, clause - distance)
    return position < len(clauses) and clauses[position] <= clause + distance


def _time_outside(message: _Message, anchor: _Hit) -> bool:
    """True when a time word stands near `anchor` but not inside it."""
    for clause in range(anchor.clause - _WINDOW, anchor.clause + _WINDOW + 1):
        for hit in message.in_clause.get(("time", clause), ()):
            if clause != anchor.clause or not (anchor.start <= hit.start and hit.end <= anchor.end):
                return True
    return False


def _overdose(message: _Message, found: dict[str, tuple[int, float]]) -> None:
    if message.own("od_taken") or any(message.nearby(hit, ("od_sign",), 1) for hit in message.own("pills_taken")):
        found["overdose"] = (2, 3)
    elif message.others("od_taken"):
        found.setdefault("friend_at_risk", (1, 1))


def _self_harm(message: _Message, found: dict[str, tuple[int, float]]) -> None:
    level = 0
    for hit in message.any("self_harm"):
        tokens = message.clauses[hit.clause]
        if message.nearby(hit, ("accident",), 0) or tokens[hit.end : hit.end + 1] == ["pa"]:
            continue
        if hit.third_person:
            found.setdefault("friend_at_risk", (1, 1))
            continue
        acute = bool(message.nearby(hit, ("bleeding",), 1)) or message.now_near(hit)
        acute = acute or (bool(message.nearby(hit, ("time",), 0)) and not message.past_in_clause(hit))
        level = max(level, 2 if acute else 1)
    if message.any("self_harm_history"):
        level = max(level, 1)
    if level:
        found["self_harm"] = (level, 2 if level == 2 else 1)


def _sexual_abuse(message: _Message, found: dict[str, tuple[int, float]]) -> None:
    level = 0
    for hit in message.any("sexual") + message.own("night_visit"):
        if hit.name == "night_visit" and not message.nearby(hit, ("night", "dread"), 1):
            continue
        around = message.clauses[hit.clause][max(0, hit.start - 6) : hit.end + 2]
        victim_is_writer = not hit.third_person or any(token in _WRITER for token in around)
        if not victim_is_writer:
            found.setdefault("friend_at_risk", (1, 1))
            continue
        strong_time = bool(message.nearby(hit, ("time", "trapped", "hiding")))
        recent = bool(message.nearby(hit, ("recent",), 1))
        near_now = message.now_near(hit) and not message.past_in_clause(hit)
        level = max(level, 2 if (strong_time or recent or near_now) else 1)
    if message.any("rape_threat"):
        level = 2
    if level:
        found["sexual_abuse"] = (level, level)


# Words that may stand between "slår mig" and what the writer was beaten at ("slår mig altid i skak").
_ADVERBS = _words("altid tit ofte igen også bare nogle gange hele tiden hver gang")


def _beaten_at(message: _Message, hit: _Hit) -> bool:
    """True for "hun slog mig i løb", "far slår mig altid i ping pong": beaten at something, not
    hit, because what follows "i" is not a part of the body."""
    if hit.name != "violence":
        return False
    tokens = message.clauses[hit.clause]
    after = [token for token in tokens[hit.end : hit.end + 5] if token not in _ADVERBS][:2]
    return after[:1] == ["i"] and len(after) == 2 and after[1] not in _BODY


def _violence(message: _Message, found: dict[str, tuple[int, float]]) -> None:
    level = 0
    candidates = message.any("violence") + message.any("threat") + message.others("kill_me") + message.any("weapon_at")
    candidates += [hit for hit in message.any("kill_threat") if hit.third_person]
    for hit in candidates:
        tokens = message.clauses[hit.clause]
        if message.clause_has(hit, _PLAYFUL):
            continue
        if "op" in tokens[hit.start : hit.end]:
            # "slog op med mig": a break-up, not a blow.
            continue
        if _beaten_at(message, hit):
            continue
        passive = tokens[hit.start] in _PASSIVE
        if hit.name == "violence" and not passive and tokens[max(0, hit.start - 1) : hit.start] in (["jeg"], ["vi"]):
            # "jeg slog mig på bordet": the writer bumped into something.
            continue
        if hit.name in ("kill_me", "kill_threat"):
            # "min mor slår mig ihjel hvis jeg kommer for sent" is a figure of speech.
            if any(token in _HVIS for token in tokens[hit.end : hit.end + 4]):
                continue
            level = 2
            continue
        acute = message.now_near(hit) and not message.past_in_clause(hit)
        acute = acute or bool(message.nearby(hit, ("hiding", "injury", "trapped"), 1))
        acute = acute or (bool(message.nearby(hit, ("time",), 1)) and not message.past_in_clause(hit))
        if message.nearby(hit, ("weapon_at",), 1):
            acute = True
        if hit.name == "threat" and message.nearby(hit, ("weapon",), 1):
            acute = True
        if message.nearby(hit, ("weapon",), 0) and message.nearby(hit, ("recent", "time"), 1):
            acute = True
        level = max(level, 2 if acute else 1)
    if level:
        found["violence"] = (level, level)


def _grooming(message: _Message, found: dict[str, tuple[int, float]]) -> None:
    level = 0
    for hit in message.any("share_img"):
        if message.nearby(hit, ("coerce",), 1):
            level = 2
    for hit in message.any("extort"):
        if message.nearby(hit, ("nude", "share_img", "nude_shared"), 1):
            level = 2
    for hit in message.any("money"):
        if message.nearby(hit, ("nude",), 1) and message.nearby(hit, ("shared", "share_img", "coerce"), 1):
            level = 2
    for hit in message.any("coerce"):
        if message.nearby(hit, ("nude_shared",), 1) or (
            message.nearby(hit, ("nude",), 1) and message.nearby(hit, ("shared",), 1)
        ):
            level = 2
    for hit in message.any("lure") + message.any("secret"):
        context = message.nearby(hit, ("adult", "online", "secret", "lure"))
        grooming = "adult" in context and bool(context & {"lure", "secret"})
        grooming = grooming or ("online" in context and "secret" in context)
        grooming = grooming or (hit.name == "secret" and "lure" in context)
        if grooming:
            # "han henter mig i aften": a meeting that is about to happen.
            level = max(level, 2 if message.nearby(hit, ("time",)) else 1)
    if level:
        found["grooming"] = (level, level)
    elif message.any("nude_shared") or any(message.nearby(hit, ("shared",), 1) for hit in message.any("nude")):
        found["image_abuse"] = (1, 1)


def _homeless(message: _Message, found: dict[str, tuple[int, float]]) -> None:
    level = 0
    if message.any("nowhere_sleep"):
        level = 2
    for hit in message.any("nowhere_live") + message.own("thrown_out"):
        urgent = message.nearby(hit, ("time", "cold_night", "nowhere_sleep")) or message.now_near(hit)
        level = max(level, 2 if urgent else 1)
    if level:
        found["homeless"] = (level, level)


def _simple(message: _Message, found: dict[str, tuple[int, float]]) -> None:
    if message.own("eating"):
        found["eating_disorder"] = (1, 1)
    elif message.others("eating"):
        found.setdefault("friend_at_risk", (1, 1))
    if message.own("bullying") or any(
        "mig" in message.clauses[h.clause][h.start : h.end] for h in message.any("bullying")
    ):
        found["bullying"] = (1, 1)
    if message.any("substance"):
        found["substance"] = (1, 1)


def _thought_before(message: _Message, hit: _Hit) -> bool:
    """True when the words just before `hit` make it a thought or a wish rather than an intent
    ("tænker på at", "har prøvet at", "har lyst til at"); "har tænkt mig at" is an intent."""
    tokens = message.clauses[hit.clause]
    for index in range(max(0, hit.start - 5), hit.start):
        if tokens[index] in _THOUGHT_BEFORE:
            if tokens[index] == "taenkt" and tokens[index + 1 : index + 2] == ["mig"]:
                continue
            return True
    return False


_WISH = ("ideation", "hopeless", "disappear", "intent", "euphemism", "kill_me", "farewell")
_DISTRESS = (*_WISH, "finality", "jump", "letter", "method")


def _suicide_redefined(message: _Message, found: dict[str, tuple[int, float]]) -> None:
    """The levels as redefined: an expressed intent, a wish with a decision or finality, a place
    of danger with anything alarming beside it, or a means put to use on oneself are critical."""
    critical = False
    for hit in message.own("intent"):
        if not _thought_before(message, hit) and not message.past_in_clause(hit):
            critical = True
        elif "suicide" not in found:
            found["suicide"] = (1, 2)
    for hit in message.own("finality"):
        if message.nearby(hit, _WISH, own=True):
            critical = True
    for hit in message.own("site") + message.own("site_strong"):
        if message.nearby(hit, ("peril",), 1) or message.nearby(hit, _DISTRESS, own=True) or message.immediate(hit):
            critical = True
    if message.own("resolve"):
        critical = True
    for hit in message.own("self_use"):
        means = message.nearby(hit, ("means", "noose", "possession", "pill_qty"))
        if means or message.nearby(hit, (*_WISH, "finality"), own=True) or message.immediate(hit):
            critical = True
    if critical:
        points = found.get("suicide", (0, 3))[1]
        found["suicide"] = (2, max(float(points), 3.0))
        found.pop("hopelessness", None)
    elif any(message.others(name) for name in ("intent", "self_use")):
        found.setdefault("friend_at_risk", (1, 1))


def _ongoing(message: _Message, hit: _Hit) -> bool:
    """Said to go on or to come again ("hver weekend", "stadig", "gør det igen"), not only once."""
    return bool(message.nearby(hit, ("ongoing",), 1)) and not message.past_in_clause(hit)


def _abuse_redefined(message: _Message, found: dict[str, tuple[int, float]]) -> None:
    """Ongoing abuse, a threat to do it again and an assault happening now are critical."""
    for hit in message.any("sexual") + message.any("sexual_now"):
        around = message.clauses[hit.clause][max(0, hit.start - 6) : hit.end + 2]
        if hit.third_person and not any(token in _WRITER for token in around):
            continue
        if _ongoing(message, hit) or (hit.name == "sexual_now" and not message.past_in_clause(hit)):
            found["sexual_abuse"] = (2, 2)
    for hit in message.own("night_visit"):
        if message.nearby(hit, ("night", "dread"), 1) and _ongoing(message, hit):
            found["sexual_abuse"] = (2, 2)
    for hit in message.any("violence") + message.any("threat"):
        if message.clause_has(hit, _PLAYFUL) or "op" in message.clauses[hit.clause][hit.start : hit.end]:
            continue
        if _beaten_at(message, hit):
            continue
        if _ongoing(message, hit):
            found["violence"] = (2, 2)
    if message.any("assault_now") and not any(message.past_in_clause(hit) for hit in message.any("assault_now")):
        found["violence"] = (2, 2)


def _medical(message: _Message, found: dict[str, tuple[int, float]]) -> None:
    """Bleeding that will not stop, or fainting after days without food, is a medical emergency."""
    if found.get("self_harm", (0, 0))[0] == 2:
        return
    emergency = False
    for hit in message.any("haemorrhage"):
        if hit.third_person:
            found.setdefault("friend_at_risk", (1, 1))
        elif not message.past_in_clause(hit):
            emergency = True
    for hit in message.own("faint"):
        if message.nearby(hit, ("starving", "eating"), own=True):
            emergency = True
        elif message.immediate(hit, 0) and not message.past_in_clause(hit):
            # "jeg er ved at besvime": about to faint, now.
            emergency = True
    if emergency:
        found["medical"] = (2, 2)


_RULES = (
    _suicide,
    _suicide_redefined,
    _overdose,
    _self_harm,
    _sexual_abuse,
    _violence,
    _abuse_redefined,
    _grooming,
    _homeless,
    _simple,
    _medical,
)
_BASE = {0: 0.0, 1: 0.4, 2: 0.75}
_SPAN = {0: 0.3, 1: 0.3, 2: 0.25}


def _assess(text: str) -> Assessment:
    clauses = normalise(text)
    hits = _hits(clauses)
    if not hits:
        # Every rule, and the nudge of weak words below, starts from a hit. Most messages have
        # none (an empty one has no clauses at all), and the chat scores each message in its
        # database thread.
        return NORMAL
    message = _Message(clauses, hits)
    found: dict[str, tuple[int, float]] = {}
    for rule in _RULES:
        rule(message, found)
    if not found:
        # Words of distress that raise no level ("farvel", "står på broen") still nudge the score.
        weak = sum(1 for hit in message.hits if hit.name in _INTENT)
        return Assessment("normal", round(_SPAN[0] * (1 - math.exp(-0.3 * weak)), 3))
    top = max(level for level, _ in found.values())
    if top == 2 or "suicide" in found:
        # Hopelessness next to suicidal thoughts or a critical finding tells the counselor nothing new.
        found.pop("hopelessness", None)
    evidence = sum(points for _, points in found.values()) + len(found) - 1
    score = _BASE[top] + _SPAN[top] * (1 - math.exp(-0.35 * evidence))
    ordered = [name for name in _CATEGORY_ORDER if name in found]
    ordered.sort(key=lambda name: -found[name][0])
    reasons = tuple(_REASONS[(name, LEVELS[found[name][0]])] for name in ordered)
    return Assessment(LEVELS[top], round(min(score, 1.0), 3), reasons, tuple(ordered))


def score_rules(text: str) -> Assessment:
    """Returns what the readable rules alone conclude about one message. Never raises: any input,
    of any length, gives a result.

    Should the rules fail on some input nobody foresaw, the message is returned as ``elevated``
    with a reason saying so, so that a counselor reads it rather than the queue hiding it.
    """
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    try:
        return _assess(text)
    except Exception:
        # A message must never be lost to a scoring bug; the broad catch is deliberate.
        logger.exception("Triage failed on a message of %s characters", len(text))
        return Assessment("elevated", 0.5, ("automatisk vurdering fejlede: læs beskeden",), ("error",))


# What the counselor reads when the model alone raised the level, by the category it predicts.
_MODEL_TOPICS: Mapping[str, str] = {
    "suicide": "selvmord",
    "overdose": "overdosis",
    "self_harm": "selvskade",
    "medical": "akut sygdom eller blødning",
    "sexual_abuse": "seksuelt overgreb",
    "violence": "vold",
    "grooming": "grooming/sextortion",
    "image_abuse": "billeder delt",
    "homeless": "uden sted at sove",
    "eating_disorder": "spiseforstyrrelse",
    "bullying": "mobning",
    "substance": "alkohol eller stoffer",
    "hopelessness": "håbløshed",
    "friend_at_risk": "en anden i fare",
}
_MODEL_REASON = {"critical": "modellen: mulig akut fare", "elevated": "modellen: mulig risiko"}


def model_level(prediction: triage_model.Prediction, thresholds: Mapping[str, float]) -> str:
    """The level the model alone gives: ``critical`` when P(critical) reaches the critical
    threshold, ``elevated`` when P(elevated or critical) reaches the elevated threshold."""
    if prediction.probabilities.get("critical", 0.0) >= thresholds["critical"]:
        return "critical"
    if prediction.at_least("elevated", LEVELS) >= thresholds["elevated"]:
        return "elevated"
    return "normal"


def _with_model(rules: Assessment, text: str) -> Assessment:
    """The more urgent of the rules' and the model's level. The rules' reasons are kept; when the
    model alone raises the level, a reason naming the model and its likeliest category is added."""
    model = triage_model.default_model()
    if model is None or not text.strip() or rules.level == "critical":
        return rules
    try:
        prediction = model.predict(text)
    except Exception:
        # The rules' answer stands whatever happens to the model; the broad catch is deliberate.
        logger.exception("Triage model failed on a message of %s characters", len(text))
        return rules
    level = model_level(prediction, model.thresholds)
    if _RANK[level] <= _RANK[rules.level]:
        return rules
    topic = _MODEL_TOPICS.get(prediction.category)
    reason = _MODEL_REASON[level] + (f" ({topic})" if topic else "")
    if level == "critical":
        score = _BASE[2] + _SPAN[2] * prediction.probabilities["critical"]
    else:
        score = _BASE[1] + _SPAN[1] * prediction.at_least("elevated", LEVELS)
    categories = rules.categories
    if prediction.category and prediction.category not in categories:
        categories = (prediction.category, *categories)
    return Assessment(level, round(min(score, 1.0), 3), (reason, *rules.reasons), categories)


def score_message(text: str) -> Assessment:
    """Returns the triage of one message: the more urgent of the readable rules and the model.
    Never raises: any input, of any length, gives a result."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    return _with_model(score_rules(text), text)


# How many of the young person's latest messages a conversation's level reads together.
CONVERSATION_WINDOW = 5


def score_conversation(recent_young_texts: Sequence[str], floor: str = "normal") -> Assessment:
    """Returns the level of a conversation from its young person's latest messages.

    `recent_young_texts` are the young person's own messages, oldest first (a counselor's words
    are not scored). The last `CONVERSATION_WINDOW` of them are read together, as one text with a
    sentence break between messages, so that a place in one message and an intent in the message
    before it combine ("jeg kan ikke mere" … "står på broen" is critical). Each of those messages
    is also scored alone, and the most urgent of all these readings is kept, with its reasons.

    The result is never below `floor`: the caller passes the most urgent level seen so far in the
    conversation (or the level a counselor set), so a conversation does not drop back in the queue
    because the young person's next message was calm. When `floor` is the higher level, the
    result carries the floor's level with the reasons of the latest readings and a score at the
    bottom of that level's band. An unknown `floor` counts as ``normal``. Never raises.
    """
    texts = [text if isinstance(text, str) else ("" if text is None else str(text)) for text in recent_young_texts]
    texts = [text for text in texts[-CONVERSATION_WINDOW:] if text.strip()]
    best = NORMAL
    readings = [score_message(text) for text in texts]
    if len(texts) > 1:
        readings.append(score_message("\n".join(texts)))
    for reading in readings:
        if (_RANK[reading.level], reading.score) > (_RANK[best.level], best.score):
            best = reading
    floor = floor if floor in _RANK else "normal"
    if _RANK[best.level] >= _RANK[floor]:
        return best
    return Assessment(floor, _BASE[_RANK[floor]], best.reasons, best.categories)
