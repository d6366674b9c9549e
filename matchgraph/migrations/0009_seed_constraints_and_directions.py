"""Seed the constraint vocabulary and the direction of X-to-Y synonym groups. Curators edit
both in the admin.

The "Local inference" group loses the terms that are now constraints ("offline", "run
locally", "self hosted"): a query saying them is filtered to what runs locally instead of
searched for those words."""

from django.db import migrations

CONSTRAINTS = {
    ("runs_locally", ""): [
        "local", "locally", "offline", "self hosted", "selfhosted", "self host", "on my laptop",
        "on my machine", "on my computer", "on my pc", "on my mac", "on my own machine",
        "on my own hardware", "on premise", "on prem", "on device", "without internet",
        "no cloud", "run locally", "runs locally", "on a laptop", "on a mac", "on mac",
        "on a pc", "on my phone", "on a phone", "on a raspberry pi", "on raspberry pi",
        "on my gpu", "on my own gpu", "on a single gpu", "own server",
    ],
    ("open_source", ""): ["open source", "opensource", "oss", "foss", "open licence", "open license"],
    ("open_source", "model"): ["open weights", "open weight", "open model", "open models"],
    ("hosted", ""): ["hosted", "cloud", "saas", "managed", "managed service"],
    ("free", ""): ["free", "gratis", "no cost", "free tier"],
    ("cheap", ""): [
        "cheap", "cheapest", "cheaply", "affordable", "inexpensive", "low cost", "budget",
        "lowest price",
    ],
    # An API is what a visitor calls over the network: an API listing, or a model or tool
    # someone hosts and sells access to.
    ("hosted", "api"): ["api", "apis", "rest api", "endpoint"],
    ("kind", "dataset"): ["dataset", "datasets", "data set", "data sets", "corpus"],
    ("kind", "course"): ["course", "courses", "tutorial", "tutorials", "lecture", "lectures"],
    ("kind", "paper"): ["paper", "papers", "research paper", "arxiv"],
    ("kind", "model"): ["model", "models", "checkpoint", "checkpoints"],
    ("kind", "repository,tool"): [
        "library", "libraries", "package", "packages", "sdk", "framework", "python library",
    ],
    ("kind", "app"): ["app", "desktop app", "application"],
    ("size", "small"): ["small", "tiny", "lightweight", "compact"],
}  # fmt: skip

LANGUAGES = [
    "english", "german", "french", "spanish", "italian", "portuguese", "dutch", "russian",
    "ukrainian", "polish", "czech", "swedish", "norwegian", "danish", "finnish", "greek",
    "turkish", "arabic", "hebrew", "persian", "hindi", "bengali", "urdu", "tamil", "chinese",
    "mandarin", "cantonese", "japanese", "korean", "vietnamese", "thai", "indonesian", "malay",
    "swahili",
]  # fmt: skip

# Group name: (what goes in, what comes out).
DIRECTIONS = {
    "Speech recognition": ("audio", "text"),
    "Text to speech": ("text", "audio"),
    "OCR": ("image", "text"),
    "Image generation": ("text", "image"),
    "Captioning": ("image", "text"),
}
NEW_GROUPS = {
    "Image to text": (["image to text", "img2txt", "picture to text"], ("image", "text")),
    "Text to video": (["text to video", "video generation", "generate videos"], ("text", "video")),
    "Text to music": (["text to music", "music generation", "text to audio"], ("text", "audio")),
}
NOW_CONSTRAINTS = ["offline", "run locally", "self hosted"]
# Everyday ways of naming a task the seeded groups lacked.
MORE_TERMS = {
    "Text to speech": ["read aloud", "read text aloud", "text to voice", "voice generation"],
    "Captioning": ["describe an image", "describe images", "describe photos", "image to prompt"],
    "Speech recognition": ["audio to text", "dictation"],
}


# Words that often name the task's object ("serve a model", "train a model") rank what
# meets them higher rather than hiding the rest.
PREFERENCES_ONLY = {"model", "models", "checkpoint", "checkpoints", "app", "application"}


def seed(apps, schema_editor):
    ConstraintTerm = apps.get_model("matchgraph", "ConstraintTerm")
    SynonymGroup = apps.get_model("matchgraph", "SynonymGroup")
    for (constraint, value), phrases in CONSTRAINTS.items():
        for phrase in phrases:
            ConstraintTerm.objects.update_or_create(
                phrase=phrase,
                defaults={
                    "constraint": constraint,
                    "value": value,
                    "is_strong": phrase not in PREFERENCES_ONLY,
                },
            )
    for language in LANGUAGES:
        ConstraintTerm.objects.update_or_create(
            phrase=language, defaults={"constraint": "language", "value": language}
        )
    for name, (source, target) in DIRECTIONS.items():
        SynonymGroup.objects.filter(name=name).update(input_modality=source, output_modality=target)
    for name, (terms, (source, target)) in NEW_GROUPS.items():
        SynonymGroup.objects.update_or_create(
            name=name,
            defaults={"terms": terms, "input_modality": source, "output_modality": target},
        )
    local = SynonymGroup.objects.filter(name="Local inference").first()
    if local is not None:
        local.terms = [term for term in local.terms if term not in NOW_CONSTRAINTS]
        local.save(update_fields=["terms"])
    for name, terms in MORE_TERMS.items():
        group = SynonymGroup.objects.filter(name=name).first()
        if group is not None:
            group.terms = [*group.terms, *(term for term in terms if term not in group.terms)]
            group.save(update_fields=["terms"])


def unseed(apps, schema_editor):
    apps.get_model("matchgraph", "ConstraintTerm").objects.all().delete()
    SynonymGroup = apps.get_model("matchgraph", "SynonymGroup")
    SynonymGroup.objects.filter(name__in=NEW_GROUPS).delete()
    SynonymGroup.objects.update(input_modality="", output_modality="")
    local = SynonymGroup.objects.filter(name="Local inference").first()
    if local is not None:
        local.terms = [*local.terms, *NOW_CONSTRAINTS]
        local.save(update_fields=["terms"])
    for name, terms in MORE_TERMS.items():
        group = SynonymGroup.objects.filter(name=name).first()
        if group is not None:
            group.terms = [term for term in group.terms if term not in terms]
            group.save(update_fields=["terms"])


class Migration(migrations.Migration):
    dependencies = [("matchgraph", "0008_constraint_terms_and_directions")]
    operations = [migrations.RunPython(seed, unseed)]
