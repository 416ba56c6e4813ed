"""Fixed sample data: brands, avatars and Asset Library scenes every mock workspace starts with.

Seeded so that brand, avatar and search demos show something on a fresh mock. The content is
fictional; ids are stable so tests and docs can refer to them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ._lifecycle import MEDIA_BASE

__all__ = ["AVATARS", "BRANDS", "SAMPLE_SCENES", "avatar_by_id", "scene_created_at"]

BRANDS: tuple[dict[str, Any], ...] = (
    {
        "id": "brand_glowleaf",
        "object": "brand",
        "name": "Glowleaf Botanics",
        "domain": "glowleaf.example",
        "tagline": "Skincare that grows on you.",
        "overview": "Plant-based skincare for sensitive skin, sold direct to consumers.",
        "tone": "warm, honest, lightly playful",
        "palette": ["#1F6F50", "#F4EDE1", "#E8A87C"],
        "images": [
            {"reference_url": f"{MEDIA_BASE}/brands/glowleaf/serum.png", "kind": "product"},
            {"reference_url": f"{MEDIA_BASE}/brands/glowleaf/logo.png", "kind": "logo"},
        ],
    },
    {
        "id": "brand_northpeak",
        "object": "brand",
        "name": "Northpeak Outdoor",
        "domain": "northpeak.example",
        "tagline": "Gear for the long way round.",
        "overview": "Lightweight hiking and camping gear.",
        "tone": "confident, practical",
        "palette": ["#22313F", "#F2C14E"],
        "images": [{"reference_url": f"{MEDIA_BASE}/brands/northpeak/backpack.png", "kind": "product"}],
    },
    {
        "id": "brand_brewline",
        "object": "brand",
        "name": "Brewline Coffee",
        "domain": "brewline.example",
        "tagline": None,
        "overview": "Specialty coffee subscriptions.",
        "tone": None,
        "palette": [],
        "images": [],
    },
)


def _avatar(avatar_id: str, name: str, visibility: str, talking: bool, ugc: bool, swap: bool) -> dict[str, Any]:
    return {
        "id": avatar_id,
        "object": "avatar",
        "name": name,
        "visibility": visibility,
        "preview_url": f"{MEDIA_BASE}/avatars/{avatar_id}/preview.jpg",
        "capabilities": {"talking_head": talking, "ugc_ad": ugc, "face_swap": swap},
    }


AVATARS: tuple[dict[str, Any], ...] = (
    _avatar("avatar_maya", "Maya", "public", True, True, True),
    _avatar("avatar_leo", "Leo", "public", True, True, True),
    _avatar("avatar_sofia", "Sofia", "public", True, False, True),
    _avatar("avatar_kenji", "Kenji", "public", False, True, True),
    _avatar("avatar_ava", "Ava", "public", True, True, False),
    _avatar("avatar_ws_founder", "Founder (workspace)", "workspace", True, True, True),
    _avatar("avatar_ws_host", "Studio host (workspace)", "workspace", True, False, False),
)

_AVATARS_BY_ID = {a["id"]: a for a in AVATARS}


def avatar_by_id(avatar_id: str) -> dict[str, Any] | None:
    return _AVATARS_BY_ID.get(avatar_id)


def _scene(
    asset_id: str,
    title: str,
    video: str,
    start: float,
    end: float,
    days_ago: float,
    source_type: str,
    segment_type: str,
    brand: str | None,
    product: str | None,
    summary: str,
    transcript: str,
    tags: list[str],
    keywords: list[str],
    cta: bool,
) -> dict[str, Any]:
    return {
        "id": asset_id,
        "title": title,
        "start": start,
        "end": end,
        "days_ago": days_ago,
        "media_url": f"{MEDIA_BASE}/library/{video}.mp4",
        "clip_url": f"{MEDIA_BASE}/library/{video}/{asset_id}.mp4",
        "source_media_url": f"{MEDIA_BASE}/library/{video}.mp4",
        "thumbnail_url": f"{MEDIA_BASE}/library/{video}/{asset_id}.jpg",
        "metadata": {
            "visual_summary": summary,
            "transcript": transcript,
            "source_type": source_type,
            "segment_type": segment_type,
            "brand": brand,
            "product": product,
            "tags": tags,
            "keywords": keywords,
            "cta_present": cta,
            "duration_seconds": round(end - start, 2),
        },
    }


# fmt: off
SAMPLE_SCENES: tuple[dict[str, Any], ...] = (
    _scene("asset_seed_glow_hook", "Scene 1", "glow_serum_ugc", 0, 4.2, 9, "generated", "hook", "Glowleaf Botanics",
           "Night Serum", "Creator faces camera and introduces the product.",
           "Okay, I finally found a serum that doesn't sting.", ["ugc", "skincare"], ["serum", "hook"], False),
    _scene("asset_seed_glow_demo", "Scene 2", "glow_serum_ugc", 4.2, 11.0, 9, "generated", "demo",
           "Glowleaf Botanics", "Night Serum", "Close-up of a woman applying serum to her cheek.",
           "Two drops at night, that's it.", ["ugc", "skincare", "close-up"], ["serum", "application"], False),
    _scene("asset_seed_glow_cta", "Scene 3", "glow_serum_ugc", 11.0, 14.5, 9, "generated", "cta",
           "Glowleaf Botanics", "Night Serum", "Product held next to the face with on-screen discount code.",
           "Use code GLOW15 for fifteen percent off.", ["ugc", "offer"], ["discount", "cta"], True),
    _scene("asset_seed_north_hook", "Trail opener", "northpeak_trail", 0, 3.0, 6, "upload", "hook",
           "Northpeak Outdoor", "Ridge 28L Backpack", "Hiker on a ridge at sunrise, wide drone shot.",
           "", ["outdoor", "drone"], ["sunrise", "mountain"], False),
    _scene("asset_seed_north_broll", "Packing b-roll", "northpeak_trail", 3.0, 12.0, 6, "upload", "b_roll",
           "Northpeak Outdoor", "Ridge 28L Backpack", "Hands packing a backpack on a wooden table.",
           "Everything fits, even the stove.", ["outdoor", "b-roll"], ["backpack", "packing"], False),
    _scene("asset_seed_north_testimonial", "Customer story", "northpeak_trail", 12.0, 27.5, 6, "upload",
           "testimonial", "Northpeak Outdoor", "Ridge 28L Backpack",
           "Woman looking at camera describing a three-day hike.",
           "I carried it for three days and forgot it was there.", ["testimonial"], ["review", "hike"], False),
    _scene("asset_seed_north_cta", "Shop now end card", "northpeak_trail", 27.5, 30.0, 6, "upload", "cta",
           "Northpeak Outdoor", "Ridge 28L Backpack", "End card with logo and shop now button.",
           "Shop the Ridge today.", ["end-card"], ["shop", "cta"], True),
    _scene("asset_seed_brew_hook", "Morning pour", "brewline_morning", 0, 5.0, 3, "generated", "hook",
           "Brewline Coffee", "Dawn Roast", "Slow-motion pour-over coffee in a sunny kitchen.",
           "Your mornings deserve better coffee.", ["lifestyle", "slow-motion"], ["coffee", "morning"], False),
    _scene("asset_seed_brew_unbox", "Unboxing", "brewline_morning", 5.0, 16.0, 3, "generated", "demo",
           "Brewline Coffee", "Dawn Roast", "Man unboxing a coffee subscription box and smelling the beans.",
           "It smells like a bakery in here.", ["unboxing", "ugc"], ["subscription", "beans"], False),
    _scene("asset_seed_brew_cta", "Subscribe card", "brewline_morning", 16.0, 20.0, 3, "generated", "cta",
           "Brewline Coffee", "Dawn Roast", "Woman smiling at camera holding a mug, subscribe text overlay.",
           "First bag free when you subscribe.", ["offer"], ["subscribe", "cta"], True),
    _scene("asset_seed_studio_intro", "Studio intro", "studio_intro", 0, 6.0, 1, "upload", "intro",
           None, None, "Presenter in a bright studio waves and introduces the channel.",
           "Hi everyone, welcome back to the studio.", ["studio"], ["intro", "presenter"], False),
    _scene("asset_seed_studio_broll", "Studio b-roll", "studio_intro", 6.0, 8.0, 1, "upload", "b_roll",
           None, None, "Camera pans across shelves of products.", "", ["b-roll"], ["shelves"], False),
)
# fmt: on


def scene_created_at(scene: dict[str, Any], epoch: datetime) -> datetime:
    """Seeded scenes are dated a few days before the clock's epoch."""
    return epoch - timedelta(days=float(scene["days_ago"]))
