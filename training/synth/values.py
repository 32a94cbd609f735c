"""Draw the value of a pool (`email`, `product`, `day`…) for one workflow.

Some values depend on others already drawn (results mention the query, products match the
searched product), so a draw sees the workflow's context of earlier values.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Callable, Mapping

from training.synth import pools as P


def ascii_slug(text: str) -> str:
    """Accent-free lowercase letters and digits, for emails and domains."""
    norm = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in norm.lower() if c.isalnum())


def _email(r: random.Random, ctx: Mapping[str, str]) -> str:
    first, last = ascii_slug(r.choice(P.FIRST_NAMES)), ascii_slug(r.choice(P.LAST_NAMES))
    host = r.choice(("gmail.com", "outlook.com", "proton.me", "fastmail.com", ascii_slug(r.choice(P.COMPANIES)) + ".com"))
    local = r.choice((f"{first}.{last}", f"{first[0]}{last}", f"{first}{r.randint(1, 99)}"))
    return f"{local}@{host}"


def _product(r: random.Random, ctx: Mapping[str, str]) -> str:
    base = ctx.get("product_query") or r.choice(P.PRODUCTS)
    return f"{r.choice(P.BRAND_HEADS)} {base} {r.choice(P.PRODUCT_ADJ)}"


def _result(r: random.Random, ctx: Mapping[str, str]) -> str:
    query = ctx.get("query") or r.choice(P.SEARCH_TOPICS)
    source = r.choice(("Wikipedia", "Reddit", "YouTube", "a blog", "the New York Times", "Stack Overflow", "BBC", "a forum"))
    shape = r.choice(("{q} - {s}", "The complete guide to {q} | {s}", "{s}: {q} explained", "10 things about {q} ({s})"))
    return shape.format(q=query, s=source)


def _flight(r: random.Random, ctx: Mapping[str, str]) -> str:
    airline = r.choice(("TAP", "Lufthansa", "Air Canada", "KLM", "Iberia", "ANA", "United"))
    h = r.randint(5, 21)
    return f"{airline} {r.randint(100, 9999)} departing {h:02d}:{r.choice(('05', '20', '35', '50'))}"


def _choice(pool: tuple[str, ...]) -> Callable[[random.Random, Mapping[str, str]], str]:
    return lambda r, ctx: r.choice(pool)


DRAW: dict[str, Callable[[random.Random, Mapping[str, str]], str]] = {
    "email": _email,
    "password": lambda r, ctx: f"{r.choice(('blue', 'River', 'tiger', 'Cactus', 'moon'))}{r.choice(('#', '!', '_', '-'))}{r.randint(1000, 99999)}",
    "first_name": _choice(P.FIRST_NAMES),
    "last_name": _choice(P.LAST_NAMES),
    "full_name": lambda r, ctx: f"{r.choice(P.FIRST_NAMES)} {r.choice(P.LAST_NAMES)}",
    "customer": lambda r, ctx: r.choice((f"{r.choice(P.FIRST_NAMES)} {r.choice(P.LAST_NAMES)}", r.choice(P.COMPANIES))),
    "company": _choice(P.COMPANIES),
    "country": _choice(("Portugal", "Canada", "Kenya", "Japan", "Germany", "United States", "Spain", "Brazil")),
    "phone": _choice(P.PHONES),
    "city": _choice(P.CITIES),
    "street": lambda r, ctx: f"{r.randint(1, 240)} {r.choice(P.STREETS)}",
    "zip": lambda r, ctx: f"{r.randint(10000, 99999)}",
    "query": _choice(P.SEARCH_TOPICS),
    "result": _result,
    "product_query": _choice(P.PRODUCTS),
    "product": _product,
    "quantity": lambda r, ctx: str(r.randint(2, 5)),
    "settings_section": _choice(("Preferences", "Profile", "Notifications", "Security", "Billing", "Integrations")),
    "language": _choice(P.LANGUAGES),
    "timezone": _choice(P.TIMEZONES),
    "service": _choice(P.SERVICES),
    "day": lambda r, ctx: str(r.randint(1, 30)),
    "time": _choice(P.TIMES),
    "subject": _choice(P.SUBJECTS),
    "body": _choice(P.BODIES),
    "status": _choice(P.STATUSES),
    "amount": _choice(P.AMOUNTS),
    "job_title": _choice(P.JOB_TITLES),
    "stage": _choice(P.DEAL_STAGES),
    "issue_title": _choice(P.ISSUE_TITLES),
    "label": _choice(P.LABELS),
    "priority": _choice(P.PRIORITIES),
    "folder": _choice(P.FOLDERS),
    "file": _choice(P.FILE_NAMES),
    "permission": _choice(("Viewer", "Commenter", "Editor")),
    "airport": _choice(P.AIRPORTS),
    "date": lambda r, ctx: f"{r.choice(P.MONTHS)} {r.randint(1, 28)}, 2027",
    "flight": _flight,
    "board": _choice(P.FORUM_BOARDS),
    "post_title": _choice(P.POST_TITLES),
    "account": lambda r, ctx: f"{r.choice(('Checking', 'Savings', 'Joint', 'Business'))} ••{r.randint(1000, 9999)}",
    "iban": lambda r, ctx: f"{r.choice(('PT50', 'DE89', 'ES91', 'FR76', 'IE29'))} {r.randint(1000, 9999)} {r.randint(1000, 9999)} {r.randint(1000, 9999)} {r.randint(10, 99)}",
    "reference": _choice(P.REFERENCES),
    "role": _choice(P.ROLES),
    "topic": _choice(("Billing", "Shipping", "Returns", "Technical problem", "Account access")),
    "order": lambda r, ctx: f"#{r.randint(100000, 999999)}",
    "job": lambda r, ctx: f"{r.choice(('Senior', 'Junior', 'Staff', 'Lead', ''))} {r.choice(('Backend Engineer', 'Product Designer', 'Data Analyst', 'Support Specialist', 'Sales Manager', 'Recruiter'))} ({r.choice(P.CITIES)})".strip(),
    "linkedin": lambda r, ctx: f"linkedin.com/in/{ascii_slug(r.choice(P.FIRST_NAMES))}-{ascii_slug(r.choice(P.LAST_NAMES))}",
    "topping": _choice(P.TOPPINGS),
    "size": _choice(P.SIZES),
    "shirt_size": _choice(P.SHIRT_SIZES),
    "color": _choice(P.COLORS),
    "filter": _choice(P.FILTERS),
    "sort": _choice(P.SORTS),
    "notify_event": _choice(P.NOTIFY_EVENTS),
    "export_format": _choice(P.EXPORT_FORMATS),
    "faq_topic": _choice(P.FAQ_TOPICS),
    "faq_question": _choice(P.FAQ_QUESTIONS),
    "invoice": _choice(P.INVOICES),
    "amenity": _choice(P.AMENITIES),
    "interest": _choice(P.INTERESTS),
    "team": _choice(P.TEAMS),
    "plan": _choice(P.PLANS),
    "share_target": _choice(("Share to your feed", "Send as a message", "Share to a group", "Copy link")),
    "post": _choice(("Just finished my first half marathon!", "Anyone else trying the new update?",
                     "Our team offsite was a blast.", "Looking for book recommendations.",
                     "Throwback to last summer in Porto.", "We're hiring, DM me.")),
}


def draw(pool: str, r: random.Random, ctx: Mapping[str, str]) -> str:
    if pool not in DRAW:
        raise KeyError(f"unknown synth pool {pool!r}")
    return DRAW[pool](r, ctx)


def draw_distinct(pool: str, n: int, r: random.Random, ctx: Mapping[str, str], include: str | None) -> list[str]:
    """`n` different values (fewer if the pool is small), containing `include` when given."""
    values: list[str] = [include] if include is not None else []
    for _ in range(n * 20):
        if len(values) >= n:
            break
        v = draw(pool, r, ctx)
        if v not in values:
            values.append(v)
    r.shuffle(values)
    return values


#: Pools whose lists are a sequence, not a sample (a month shows every day, in order).
SEQUENCES: dict[str, list[str]] = {"day": [str(d) for d in range(1, 31)]}

#: Near-identical values an autocomplete lists beside the wanted one (hard negatives).
_VARIANTS: dict[str, Callable[[str], list[str]]] = {
    "city": lambda v: [f"{v} Airport", f"{v} City Centre", f"{v} Old Town"],
    "product_query": lambda v: [f"{v} for kids", f"{v} set", f"{v} replacement parts"],
    "query": lambda v: [f"{v} near me", f"{v} for beginners", f"{v} 2026"],
    "full_name": lambda v: [f"{v.split(' ')[0]} {last}" for last in P.LAST_NAMES[:3] if last not in v],
}


def draw_items(pool: str, n: int, r: random.Random, ctx: Mapping[str, str], include: str | None) -> list[str]:
    """The contents of a list: a pool's sequence, or `n` distinct draws containing `include`."""
    if pool in SEQUENCES:
        return list(SEQUENCES[pool])
    return draw_distinct(pool, n, r, ctx, include)


def suggestions(pool: str, value: str, r: random.Random, ctx: Mapping[str, str]) -> list[str]:
    """What an autocomplete lists once a few letters are typed: `value` among near matches."""
    near = _VARIANTS.get(pool, lambda v: [])(value)
    others = [v for v in draw_distinct(pool, r.randint(2, 4), r, ctx, None) if v != value]
    options = list(dict.fromkeys([value, *r.sample(near, min(len(near), r.randint(1, 3))), *others]))
    r.shuffle(options)
    return options[:6] if value in options[:6] else [value, *options[:5]]


def iso_date(human: str) -> str:
    """"November 3, 2027" -> "2027-11-03": what an <input type=date> holds as its value."""
    month, day, year = human.replace(",", "").split(" ")
    return f"{year}-{P.MONTHS.index(month) + 1:02d}-{int(day):02d}"

