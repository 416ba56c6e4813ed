"""The paid create commands: ``images generate``, ``videos generate``, ``ads videos create``,
``face-swap create``, ``reference-analysis create``.

Each sends one create with an Idempotency-Key (``--idempotency-key`` or a fresh one), checks
its input before anything is sent (ranges and choices here, the rest in the SDK, reported
under the option's name), and with ``--wait``/``--download`` sees the job through.
"""

from __future__ import annotations

from pathlib import Path

import click

from .. import _validation as validation
from ._app import CliError, ExitCode, Output, client_from_env, output_options, runs_async
from ._jobs import finish, idempotency_option, wait_options

PAID = "[paid] "
PAID_NOTE = "\n\nSpends workspace credits. A rerun with the same --idempotency-key (within 24 h) returns the same job."


def _paid(text: str) -> str:
    return PAID + text + PAID_NOTE


@click.group()
def images() -> None:
    """Image generation."""


@images.command("generate", help=_paid("Generate images from a prompt."), short_help=PAID + "Generate images.")
@click.option("--prompt", required=True, help="What to generate.")
@click.option("--aspect-ratio", help="Width:height, e.g. 1:1, 4:5, 9:16.")
@click.option("--image-count", type=click.IntRange(1, 10), help="Images to make (1-10).")
@click.option("--reference-image-url", "reference_image_urls", multiple=True, help="https URL of a reference image.")
@click.option("--resolution", help="Output resolution.")
@click.option("--quality", help="Output quality.")
@wait_options
@idempotency_option
@output_options
@runs_async
async def images_generate(
    out: Output,
    prompt: str,
    aspect_ratio: str | None,
    image_count: int | None,
    reference_image_urls: tuple[str, ...],
    resolution: str | None,
    quality: str | None,
    wait: bool,
    timeout: float | None,
    download: Path | None,
    idempotency_key: str,
) -> None:
    async with client_from_env() as sume:
        job = await sume.images.generate(
            prompt=prompt,
            aspect_ratio=aspect_ratio,
            image_count=image_count,
            reference_image_urls=list(reference_image_urls) or None,
            resolution=resolution,
            quality=quality,
            idempotency_key=idempotency_key,
        )
        await finish(out, sume, [job], wait=wait, timeout=timeout, download=download)


@click.group()
def videos() -> None:
    """Video generation."""


LOW, HIGH = validation.VIDEO_DURATION_RANGE


@videos.command("generate", help=_paid("Generate a video from a prompt."), short_help=PAID + "Generate a video.")
@click.option("--prompt", required=True, help="What to generate.")
@click.option("--aspect-ratio", help="Width:height, e.g. 9:16.")
@click.option("--duration", type=click.IntRange(LOW, HIGH), help=f"Seconds ({LOW}-{HIGH}).")
@click.option("--resolution", type=click.Choice(validation.VIDEO_RESOLUTIONS), help="Output resolution.")
@click.option("--audio/--no-audio", "generate_audio", default=None, help="Generate an audio track.")
@wait_options
@idempotency_option
@output_options
@runs_async
async def videos_generate(
    out: Output,
    prompt: str,
    aspect_ratio: str | None,
    duration: int | None,
    resolution: str | None,
    generate_audio: bool | None,
    wait: bool,
    timeout: float | None,
    download: Path | None,
    idempotency_key: str,
) -> None:
    async with client_from_env() as sume:
        job = await sume.videos.generate(
            prompt=prompt,
            aspect_ratio=aspect_ratio,
            duration=duration,
            resolution=resolution,
            generate_audio=generate_audio,
            idempotency_key=idempotency_key,
        )
        await finish(out, sume, [job], wait=wait, timeout=timeout, download=download)


@click.group()
def ads() -> None:
    """AI ad videos."""


@ads.group("videos")
def ads_videos() -> None:
    """Talking-head and UGC ad videos with avatars."""


@ads_videos.command(
    "create", help=_paid("Create a talking-head or UGC ad video with an avatar."), short_help=PAID + "Create an ad."
)
@click.option("--avatar-id", required=True, help="The avatar (see `avatars list`).")
@click.option("--script", required=True, help="What the avatar says.")
@click.option("--style", type=click.Choice(validation.ADS_VIDEO_STYLES), help="Default talking_head.")
@click.option("--aspect-ratio", help="Width:height, e.g. 9:16.")
@click.option("--reference-image-url", "reference_image_urls", multiple=True, help="https URL of a reference image.")
@click.option("--product-image-url", help="https URL of the product image.")
@wait_options
@idempotency_option
@output_options
@runs_async
async def ads_videos_create(
    out: Output,
    avatar_id: str,
    script: str,
    style: str | None,
    aspect_ratio: str | None,
    reference_image_urls: tuple[str, ...],
    product_image_url: str | None,
    wait: bool,
    timeout: float | None,
    download: Path | None,
    idempotency_key: str,
) -> None:
    async with client_from_env() as sume:
        job = await sume.ads.videos.create(
            avatar_id=avatar_id,
            script=script,
            style=style,
            aspect_ratio=aspect_ratio,
            reference_image_urls=list(reference_image_urls) or None,
            product_image_url=product_image_url,
            idempotency_key=idempotency_key,
        )
        await finish(out, sume, [job], wait=wait, timeout=timeout, download=download)


@click.group("face-swap")
def face_swap() -> None:
    """Face Swap: put avatars' faces on a video."""


@face_swap.command(
    "create",
    help=_paid(
        "Swap each avatar's face onto a video: one job per avatar.\n\n"
        "Give the video as --video FILE (uploaded first) or as the media URL of an earlier "
        "`uploads upload FILE --purpose face_swap_source_video --show-urls`."
    ),
    short_help=PAID + "Face Swap a video.",
)
@click.option("--video", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Local video to upload.")
@click.option("--media-url", help="Media URL of a video uploaded for face_swap_source_video.")
@click.option("--avatar-id", "avatar_ids", multiple=True, required=True, help="An avatar; repeat for up to 10.")
@wait_options
@idempotency_option
@output_options
@runs_async
async def face_swap_create(
    out: Output,
    video: Path | None,
    media_url: str | None,
    avatar_ids: tuple[str, ...],
    wait: bool,
    timeout: float | None,
    download: Path | None,
    idempotency_key: str,
) -> None:
    if (video is None) == (media_url is None):
        raise click.UsageError("give exactly one of --video FILE or --media-url URL")
    # Checked before the upload, so a typo costs neither the upload nor credits.
    ids = validation.string_list("avatar_ids", list(avatar_ids), max_items=validation.MAX_AVATARS_PER_FACE_SWAP)
    for i, avatar in enumerate(ids):
        validation.resource_id(f"avatar_ids[{i}]", avatar)
    async with client_from_env() as sume:
        if video is not None:
            with out.status(f"Uploading {video.name}"):
                uploaded = await sume.uploads.upload(video, purpose="face_swap_source_video")
            if not uploaded.media_url:
                raise CliError("invalid_response", "the upload returned no media URL", ExitCode.UNAVAILABLE)
            media_url = uploaded.media_url
        assert media_url is not None
        created = await sume.face_swap.create(media_url=media_url, avatar_ids=ids, idempotency_key=idempotency_key)
        await finish(out, sume, created, wait=wait, timeout=timeout, download=download, many=True)


@click.group("reference-analysis")
def reference_analysis() -> None:
    """Reference Analysis of TikTok and Instagram Reels."""


@reference_analysis.command(
    "create", help=_paid("Analyze a public TikTok or Instagram Reel."), short_help=PAID + "Analyze a Reel."
)
@click.option("--url", required=True, help="https URL of the public Reel.")
@wait_options
@idempotency_option
@output_options
@runs_async
async def reference_analysis_create(
    out: Output, url: str, wait: bool, timeout: float | None, download: Path | None, idempotency_key: str
) -> None:
    async with client_from_env() as sume:
        job = await sume.reference_analysis.create(url=url, idempotency_key=idempotency_key)
        await finish(out, sume, [job], wait=wait, timeout=timeout, download=download)


def register(group: click.Group) -> None:
    for command in (images, videos, ads, face_swap, reference_analysis):
        group.add_command(command)
