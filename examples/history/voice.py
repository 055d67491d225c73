"""How customers write: names, greetings, sign-offs, signatures, typos and the shape of a message
(a one-line chat, a short email, a long email with context, a message in careful second-language English)."""

from __future__ import annotations

import random
from dataclasses import dataclass

FIRST_NAMES = (
    "Aisha", "Ben", "Carla", "Dmitri", "Elena", "Fatima", "Gareth", "Hana", "Ivan", "Julia", "Kwame", "Laura",
    "Mateo", "Nadia", "Oliver", "Priyanka", "Quentin", "Rosa", "Sanjay", "Tamsin", "Uche", "Valentina", "Wei",
    "Ximena", "Yusuf", "Zofia", "Arjun", "Beatriz", "Chloe", "Diego", "Emeka", "Freya", "Giulia", "Hiroshi",
    "Ingrid", "Jonas", "Keiko", "Luca", "Marta", "Niamh", "Omar", "Paulina", "Rahul", "Sinead", "Tobias", "Ana",
    "Moritz", "Lena", "Kofi", "Mei", "Pedro", "Sara", "Tomasz", "Agnieszka", "Chidi", "Noor", "Elif", "Jakub",
)  # fmt: skip
LAST_NAMES = (
    "Adeyemi", "Berg", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Haddad", "Ito", "Jansen", "Kowalski",
    "Larsen", "Moreau", "Nakamura", "O'Brien", "Petrov", "Quinn", "Rossi", "Schmidt", "Tanaka", "Usman", "Varga",
    "Walsh", "Yilmaz", "Zhang", "Novak", "Mensah", "Lindgren", "Ferreira", "Kaur", "Brennan", "Hoffmann",
)  # fmt: skip
COMPANIES = (
    "Brightloop Studio", "Kestrel Logistics", "Northwind Dental", "Pinecrest Architects", "Halcyon Health",
    "Copperleaf Marketing", "Bluefin Analytics", "Tidewater Events", "Granite & Oak Legal", "Lumen Robotics",
    "Saffron Foods", "Atlas Relocation", "Mosaic Learning", "Vantage Property Group", "Driftwood Games",
    "Redshift Media", "Orchard Lane Bakery", "Quarry Systems", "Helix Biolabs", "Summit Outdoor Co.",
    "Fernway Consulting", "Polar Circuits", "Cobalt Civil Engineering", "Marigold Nonprofit Network",
    "Ironbridge Manufacturing", "Seabright Hotels", "Wavelength Audio", "Juniper Accounting", "Nimbus Aviation",
)  # fmt: skip
TITLES = (
    "Operations Manager", "Head of IT", "Project Coordinator", "Office Manager", "CTO", "Finance Lead",
    "Marketing Director", "IT Administrator", "Founder", "Team Lead, Engineering", "Studio Manager",
    "Procurement Specialist", "PMO Lead", "Systems Administrator", "Account Director", "COO",
)  # fmt: skip

GREETINGS = (
    "Hi", "Hello", "Hi there", "Hello team", "Hi Orbitask team", "Hey", "Good morning", "Good afternoon",
    "Hi support", "Dear Orbitask Support", "Hello Orbitask", "Hey folks", "Hiya",
)  # fmt: skip
FORMAL_GREETINGS = ("Dear Sir or Madam", "Dear Support Team", "Dear Orbitask team", "Good day", "Hello dear support")
CONTEXT_OPENERS = (
    "We've been on Orbitask for about two years now and it's mostly been great.",
    "I look after our Orbitask workspace (around {seats} people) alongside a dozen other tools.",
    "Hope you're well. Quick one from our side, although it's been bugging us for a few days.",
    "I'm writing on behalf of our operations team at {company}.",
    "We moved our whole delivery team onto Orbitask in the spring.",
    "Apologies for the long message, I want to give you the full picture.",
    "I've already searched your help centre but couldn't find an answer for our situation.",
    "Not sure if this is the right place to ask, but here goes.",
    "I'm fairly new to the admin side of Orbitask, so bear with me.",
    "Our team of {seats} uses Orbitask daily for client work.",
    "Following up on something a colleague may have already asked about.",
)  # fmt: skip
PROSPECT_OPENERS = (
    "I'm reaching out on behalf of {company}.",
    "Hope this finds you well.",
    "I came across Orbitask while researching tools for our clients.",
    "Not sure who the right person is for this, so I'm trying support.",
)
CLOSINGS = (
    "Thanks in advance!", "Thanks!", "Any help appreciated.", "Thank you for your help.", "Cheers,", "Thanks a lot,",
    "Looking forward to hearing from you.", "Let me know if you need anything else from me.", "Many thanks,",
    "Appreciate it.", "Thanks, and sorry if this is a silly question.", "Would be great to get this sorted today.",
)  # fmt: skip
FORMAL_CLOSINGS = (
    "Thank you in advance for your kind help.", "I am waiting for your answer.", "Thank you very much for your support.",
    "Please advise.", "Kindly revert at the earliest.", "Best regards and thank you.",
)  # fmt: skip
MOBILE_FOOTERS = ("Sent from my iPhone", "Sent from my Android phone", "Get Outlook for iOS", "Sent from Mail for Windows")


@dataclass(frozen=True)
class Customer:
    first: str
    last: str
    company: str
    title: str

    @property
    def full(self) -> str:
        return f"{self.first} {self.last}"


def random_customer(rng: random.Random) -> Customer:
    return Customer(rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES), rng.choice(COMPANIES), rng.choice(TITLES))


def signature(rng: random.Random, who: Customer) -> str:
    style = rng.random()
    if style < 0.35:
        return who.first
    if style < 0.6:
        return f"{who.full}\n{who.company}"
    if style < 0.85:
        return f"{who.full}\n{who.title} | {who.company}"
    return f"-- \n{who.full}\n{who.title}\n{who.company}\nThis email and any attachments are confidential."


def typos(rng: random.Random, text: str, rate: float) -> str:
    """Swap, drop or double a letter in some longer words, the way people type in a hurry."""
    words = text.split(" ")
    for i, word in enumerate(words):
        if len(word) < 5 or not word.isalpha() or rng.random() > rate:
            continue
        j = rng.randrange(1, len(word) - 2)
        kind = rng.random()
        if kind < 0.45:
            word = word[:j] + word[j + 1] + word[j] + word[j + 2 :]
        elif kind < 0.8:
            word = word[:j] + word[j + 1 :]
        else:
            word = word[:j] + word[j] + word[j:]
        words[i] = word
    return " ".join(words)


def casual(rng: random.Random, text: str) -> str:
    """Chat register: often all lowercase, no final full stop, apostrophes dropped."""
    if rng.random() < 0.6:
        text = text.lower()
    if rng.random() < 0.5:
        text = text.replace("'", "")
    return text.rstrip(".") if rng.random() < 0.7 else text


def second_language(rng: random.Random, text: str) -> str:
    """Light, common second-language patterns, applied to an otherwise fluent sentence."""
    swaps = (
        ("I can't", "I cannot to"), ("doesn't", "is not"), ("I've", "I have"), ("didn't", "did not"),
        ("an email", "a email"), ("the ", ""), ("How do I", "How I can"), ("Could you", "Can you please"),
        ("information", "informations"), ("feedback", "feedbacks"), ("I'm", "I am"),
    )  # fmt: skip
    for old, new in swaps:
        if old in text and rng.random() < 0.35:
            text = text.replace(old, new, 1)
    return text
