"""Seed the synonym table with the field's common terms. Curators edit them in the admin."""

from django.db import migrations

GROUPS = {
    "Speech recognition": [
        "asr", "stt", "speech recognition", "speech to text", "transcription", "transcribe",
        "voice to text",
    ],
    "Text to speech": ["tts", "text to speech", "voice synthesis", "speech synthesis"],
    "OCR": ["ocr", "text recognition", "optical character recognition", "read text in images"],
    "RAG": ["rag", "retrieval augmented generation", "retrieval augmented"],
    "LLM": ["llm", "llms", "large language model", "language model"],
    "VLM": ["vlm", "vision language model", "multimodal model", "visual language model"],
    "VQA": ["vqa", "visual question answering"],
    "Embeddings": ["embeddings", "embedding", "vectors", "vector embeddings"],
    "Vector database": ["vector database", "vector db", "vector store", "vector search"],
    "Fine-tuning": ["fine tune", "finetune", "fine tuning", "finetuning", "lora"],
    "Image generation": [
        "image generation", "text to image", "generate images", "make pictures", "txt2img",
    ],
    "Stable Diffusion": ["sd", "sdxl", "stable diffusion"],
    "Local inference": ["run locally", "local inference", "on device", "offline", "self hosted"],
    "Code assistant": ["code assistant", "coding assistant", "copilot", "pair programmer"],
    "Agents": ["agent", "agents", "autonomous agent", "agentic"],
    "Captioning": ["captioning", "caption", "image description", "alt text"],
    "Translation": ["translation", "translate", "machine translation"],
    "GPU": ["gpu", "cuda", "graphics card"],
}  # fmt: skip


def seed(apps, schema_editor):
    SynonymGroup = apps.get_model("matchgraph", "SynonymGroup")
    for name, terms in GROUPS.items():
        SynonymGroup.objects.update_or_create(name=name, defaults={"terms": terms})


def unseed(apps, schema_editor):
    apps.get_model("matchgraph", "SynonymGroup").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [("matchgraph", "0003_synonyms_relations_vocabulary")]
    operations = [migrations.RunPython(seed, unseed)]
