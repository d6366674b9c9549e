"""The catalog: artifacts and everything a page says about them.

Other apps add their own tables pointing here; what the catalog must sort or filter by
(current rank, times matched) is denormalized onto `Artifact` by the task that owns it.
"""

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import F, Func, Value
from django.db.models.functions import Lower

from catalog.querysets import ArtifactQuerySet, name_order


class Kind(models.TextChoices):
    MODEL = "model", "Model"
    REPOSITORY = "repository", "Repository"
    TOOL = "tool", "Tool"
    API = "api", "API"
    DATASET = "dataset", "Dataset"
    AGENT = "agent", "Agent"
    APP = "app", "App"
    COURSE = "course", "Course"
    PAPER = "paper", "Paper"
    PROMPT = "prompt", "Prompt"
    OTHER = "other", "Other"


# How pages name a kind's artifacts together ("among 15 models").
KIND_PLURALS: dict[str, str] = {
    Kind.MODEL: "models",
    Kind.REPOSITORY: "repositories",
    Kind.TOOL: "tools",
    Kind.API: "APIs",
    Kind.DATASET: "datasets",
    Kind.AGENT: "agents",
    Kind.APP: "apps",
    Kind.COURSE: "courses",
    Kind.PAPER: "papers",
    Kind.PROMPT: "prompts",
    Kind.OTHER: "other artifacts",
}
KIND_PLURAL_UNKNOWN = "artifacts of its kind"


def kind_plural(kind: str) -> str:
    return KIND_PLURALS.get(kind, KIND_PLURAL_UNKNOWN)


# Kinds that are material about a task (data, teaching, research, prompts) rather than
# something that performs it.
REFERENCE_KINDS = (Kind.DATASET, Kind.COURSE, Kind.PAPER, Kind.PROMPT)


class PricingModel(models.TextChoices):
    FREE = "free", "Free"
    FREEMIUM = "freemium", "Freemium"
    PAID = "paid", "Paid"
    OPEN_SOURCE = "open_source", "Open source"
    CONTACT = "contact", "Contact sales"


class Modality(models.TextChoices):
    TEXT = "text", "Text"
    IMAGE = "image", "Image"
    AUDIO = "audio", "Audio"
    VIDEO = "video", "Video"
    CODE = "code", "Code"
    EMBEDDING = "embedding", "Embedding"
    STRUCTURED = "structured", "Structured data"


class Confidence(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class ClaimStatus(models.TextChoices):
    UNCLAIMED = "unclaimed", "Unclaimed"
    PENDING = "pending", "Claim pending"
    VERIFIED = "verified", "Verified"


class LinkRelation(models.TextChoices):
    INTEGRATES_WITH = "integrates_with", "Integrates with"
    DEPENDS_ON = "depends_on", "Depends on"
    DERIVED_FROM = "derived_from", "Derived from"
    SAME_FAMILY = "same_family", "Same family"


class Category(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = [name_order()]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


# UnfragileRank from which an artifact counts as among the best established (the top quarter,
# ranks being percentiles within each kind). Search looks there first.
TOP_TIER_RANK = 75


class Artifact(models.Model):
    slug = models.SlugField(max_length=120, unique=True)
    name = models.CharField(max_length=200)
    # The name with case and everything but letters and digits dropped ("llamacpp" for
    # "LLaMA.cpp"): search ranks an artifact whose name is exactly the query first.
    name_key = models.GeneratedField(
        expression=Func(
            Lower("name"),
            Value("[^[:alnum:]]+"),
            Value(""),
            Value("g"),
            function="regexp_replace",
            output_field=models.TextField(),
        ),
        output_field=models.TextField(),
        db_persist=True,
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, db_index=True)
    organization = models.CharField(max_length=200, blank=True)
    summary = models.TextField(max_length=600)
    about = models.TextField(blank=True, help_text="Markdown; sanitized when rendered.")
    homepage = models.URLField(max_length=500, blank=True)
    repository_url = models.URLField(max_length=500, blank=True)
    docs_url = models.URLField(max_length=500, blank=True)
    license = models.CharField(max_length=100, blank=True, db_index=True)
    categories = models.ManyToManyField(Category, related_name="artifacts", blank=True)
    inputs = ArrayField(models.CharField(max_length=20), default=list, blank=True)
    outputs = ArrayField(models.CharField(max_length=20), default=list, blank=True)

    # Pricing: blank model / null free tier mean unknown, never "free".
    pricing_model = models.CharField(
        max_length=20, choices=PricingModel.choices, blank=True, db_index=True
    )
    free_tier = models.BooleanField(null=True, blank=True)
    # What listings filter and sort prices by, denormalized from the plans by
    # `catalog.services.artifacts_refresh_prices` (the rules: `catalog.pricing`). Free to
    # start: a free tier, or a plan priced at zero. The headline's US-dollar rate per 1M
    # input tokens, exact; null when the headline is not a token input rate.
    has_free_tier = models.BooleanField(default=False, db_default=False, editable=False)
    headline_token_price_per_million = models.DecimalField(
        max_digits=24, decimal_places=6, null=True, blank=True, editable=False
    )

    best_for = ArrayField(models.TextField(), default=list, blank=True)
    limitations = ArrayField(models.TextField(), default=list, blank=True)
    requirements = ArrayField(models.TextField(), default=list, blank=True)
    # Ordered [key, value] pairs: jsonb objects would lose the order the source gave.
    details = models.JSONField(default=list, blank=True)
    # Unknown import fields, kept rather than dropped.
    extra = models.JSONField(default=dict, blank=True)

    released = models.DateField(null=True, blank=True)
    updated = models.DateField(null=True, blank=True, db_index=True)

    # Builders (a later round): claim state and verification.
    claim_status = models.CharField(
        max_length=20, choices=ClaimStatus.choices, default=ClaimStatus.UNCLAIMED
    )
    verified_at = models.DateTimeField(null=True, blank=True)

    # Curators: hidden artifacts stay in the database but leave every public page.
    is_published = models.BooleanField(default=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)

    # Denormalized by the apps that own these numbers (ranking, matchgraph).
    current_rank = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    # The share (0–1) of the rank's weight whose signals are known: a rank that rests on
    # freshness alone says little, and search leans on it that much less.
    rank_evidence = models.FloatField(null=True, blank=True, editable=False)
    times_matched = models.PositiveIntegerField(default=0, editable=False)
    times_matched_30d = models.PositiveIntegerField(default=0, editable=False)

    # Full-text document: name (A), capability titles (B), summary and categories (C).
    # Spans several tables, so `catalog.search_index` keeps it current after every write
    # rather than a generated column. Descriptions are searched through Capability's vector.
    search_vector = SearchVectorField(null=True, editable=False)
    # Words per field in that document, [A, B, C, D]: its length as ranking weighs it.
    # A database default too: rows inserted in bulk by SQL (benchmarks) start empty.
    search_field_lengths = ArrayField(
        models.PositiveIntegerField(),
        size=4,
        default=list,
        db_default=Value([], output_field=ArrayField(models.PositiveIntegerField())),
        blank=True,
        editable=False,
    )

    # Hash of the imported record: a re-import of an unchanged line writes nothing.
    import_hash = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    objects = ArtifactQuerySet.as_manager()

    class Meta:
        ordering = [name_order()]
        indexes = [
            models.Index(Lower("name"), name="artifact_name_lower"),
            # One per browse order (`ArtifactQuerySet.by_rank`, `newest`, by name, by price)
            # over the published listing, so a first page reads a page of rows, not the
            # catalog. Each also holds the id and the name (which the order's lower(name)
            # needs), so a deep page's ids are read from the index alone: page 40 skips 960
            # index entries, not 960 rows (`catalog.selectors._page_of_cards`).
            models.Index(
                F("current_rank").desc(nulls_last=True),
                name_order(),
                name="artifact_rank_order",
                condition=models.Q(is_published=True),
                include=["id", "name"],
            ),
            models.Index(
                F("released").desc(nulls_last=True),
                F("created_at").desc(),
                name_order(),
                name="artifact_newest",
                condition=models.Q(is_published=True),
                include=["id", "name"],
            ),
            models.Index(
                name_order(),
                F("id"),
                name="artifact_name_order",
                condition=models.Q(is_published=True),
                include=["name"],
            ),
            # Browse's price sort: token prices cheapest first, then everything else by rank.
            models.Index(
                F("headline_token_price_per_million").asc(nulls_last=True),
                F("current_rank").desc(nulls_last=True),
                name_order(),
                name="artifact_price_order",
                condition=models.Q(is_published=True),
                include=["id", "name"],
            ),
            # The price filter in rank order: only the token-priced few, not the catalog.
            models.Index(
                F("current_rank").desc(nulls_last=True),
                name_order(),
                name="artifact_token_priced_rank",
                condition=models.Q(
                    is_published=True, headline_token_price_per_million__isnull=False
                ),
                include=["id", "name"],
            ),
            GinIndex(fields=["inputs"], name="artifact_inputs_gin"),
            GinIndex(fields=["outputs"], name="artifact_outputs_gin"),
            GinIndex(fields=["search_vector"], name="artifact_search_gin"),
            # The best-established quarter on its own: a broad query ("image") finds enough
            # of them here without reading every listing that mentions the word.
            GinIndex(
                fields=["search_vector"],
                name="artifact_search_top_gin",
                condition=models.Q(current_rank__gte=TOP_TIER_RANK),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("catalog:artifact-detail", kwargs={"slug": self.slug})


def capability_title_key(title: str) -> str:
    """How a capability is told apart within its artifact, and matched on re-import: its
    title, trimmed and lower-cased."""
    return title.strip().lower()


class Capability(models.Model):
    artifact = models.ForeignKey(Artifact, on_delete=models.CASCADE, related_name="capabilities")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=300)
    # Lower-cased title: how re-imports match a capability, unique per artifact.
    title_key = models.CharField(max_length=300, editable=False)
    description = models.TextField()
    unique_angle = models.TextField(blank=True, help_text="What is unique about it.")
    vs_alternatives = models.TextField(blank=True)
    confidence = models.CharField(
        max_length=10, choices=Confidence.choices, default=Confidence.MEDIUM
    )
    # Which capability explains a search: title weighs more than description.
    search_vector = models.GeneratedField(
        expression=SearchVector("title", weight="A", config="english")
        + SearchVector("description", weight="B", config="english"),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        ordering = ["artifact", "position", "id"]
        verbose_name_plural = "capabilities"
        indexes = [GinIndex(fields=["search_vector"], name="capability_search_gin")]
        constraints = [
            models.UniqueConstraint(
                fields=["artifact", "title_key"], name="capability_title_unique_per_artifact"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.title_key = capability_title_key(self.title)
        super().save(*args, **kwargs)


class PricingPlan(models.Model):
    artifact = models.ForeignKey(Artifact, on_delete=models.CASCADE, related_name="plans")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(max_length=200)
    # Exact decimals: per-token prices such as 0.00000042 must never pass through a float.
    price = models.DecimalField(max_digits=24, decimal_places=12)
    currency = models.CharField(max_length=3, default="USD")
    unit = models.CharField(max_length=100)
    as_of = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["artifact", "position", "id"]

    def __str__(self) -> str:
        return f"{self.name}: {self.price} {self.currency} per {self.unit}"


class Signals(models.Model):
    """Adoption and health numbers read from outside. Null means unknown, never zero."""

    artifact = models.OneToOneField(
        Artifact, on_delete=models.CASCADE, primary_key=True, related_name="signals"
    )
    stars = models.BigIntegerField(null=True, blank=True)
    forks = models.BigIntegerField(null=True, blank=True)
    downloads_30d = models.BigIntegerField(null=True, blank=True)
    likes = models.BigIntegerField(null=True, blank=True)
    contributors = models.BigIntegerField(null=True, blank=True)
    dependents = models.BigIntegerField(null=True, blank=True)
    open_issues = models.BigIntegerField(null=True, blank=True)
    closed_issues_90d = models.BigIntegerField(null=True, blank=True)
    releases_365d = models.BigIntegerField(null=True, blank=True)
    last_commit = models.DateField(null=True, blank=True)
    docs_pages = models.BigIntegerField(null=True, blank=True)
    has_examples = models.BooleanField(null=True, blank=True)
    has_changelog = models.BooleanField(null=True, blank=True)
    as_of = models.DateField(null=True, blank=True)

    NUMBER_FIELDS = (
        "stars",
        "forks",
        "downloads_30d",
        "likes",
        "contributors",
        "dependents",
        "open_issues",
        "closed_issues_90d",
        "releases_365d",
        "docs_pages",
    )
    BOOLEAN_FIELDS = ("has_examples", "has_changelog")
    DATE_FIELDS = ("last_commit", "as_of")

    class Meta:
        verbose_name_plural = "signals"

    def __str__(self) -> str:
        return f"Signals of {self.artifact_id}"


class DataSource(models.Model):
    artifact = models.ForeignKey(Artifact, on_delete=models.CASCADE, related_name="sources")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(max_length=200)
    url = models.URLField(max_length=500)
    retrieved = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["artifact", "position", "id"]

    def __str__(self) -> str:
        return self.name


class ArtifactLink(models.Model):
    """An ecosystem edge. The target may not exist yet: `target` fills in when it arrives."""

    source = models.ForeignKey(Artifact, on_delete=models.CASCADE, related_name="links_out")
    relation = models.CharField(max_length=20, choices=LinkRelation.choices)
    target_slug = models.SlugField(max_length=120)
    target = models.ForeignKey(
        Artifact,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="links_in",
    )

    class Meta:
        ordering = ["source", "relation", "target_slug"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "relation", "target_slug"], name="artifact_link_unique"
            )
        ]
        indexes = [models.Index(fields=["target_slug"], name="artifact_link_target_slug")]

    def __str__(self) -> str:
        return f"{self.source_id} {self.relation} {self.target_slug}"


class Embedding(models.Model):
    """A passage's meaning as a vector, for meaning search and "similar by meaning": one per
    artifact (name, summary and capability titles; `capability` empty) and one per capability
    (title and description), so a hit can say which capability it matched.

    `vector` holds float16 values, readable on every PostgreSQL. Where the pgvector extension
    exists, `catalog.embeddings.store` also keeps a `pgvector` column (added outside the
    model, since not every server has the type) with an HNSW index. Rows are rewritten only
    when their text (`content_hash`) or the model that embedded them changes."""

    artifact = models.ForeignKey(Artifact, on_delete=models.CASCADE, related_name="+")
    capability = models.ForeignKey(
        Capability, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    model = models.CharField(max_length=120)
    content_hash = models.CharField(max_length=32)
    vector = models.BinaryField()
    embedded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["artifact"],
                condition=models.Q(capability__isnull=True),
                name="embedding_one_per_artifact",
            ),
            models.UniqueConstraint(fields=["capability"], name="embedding_one_per_capability"),
        ]
        indexes = [
            # In-process search reads the artifact vectors embedded since it last looked.
            models.Index(
                fields=["model", "embedded_at"],
                condition=models.Q(capability__isnull=True),
                name="embedding_artifact_recent",
            ),
        ]

    def __str__(self) -> str:
        part = f"capability {self.capability_id}" if self.capability_id else "artifact"
        return f"{part} of {self.artifact_id} ({self.model})"
