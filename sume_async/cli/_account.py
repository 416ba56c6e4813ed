"""``me``, ``credits``, ``brand list|current``, ``avatars list|get``: reading the workspace."""

from __future__ import annotations

import click

from ._app import Output, client_from_env, output_options, runs_async
from ._paging import list_options, print_page


@click.command()
@output_options
@runs_async
async def me(out: Output) -> None:
    """The user, workspace and (sanitized) key that SUME_API_KEY resolves to."""
    async with client_from_env() as sume:
        out.data(await sume.account.me())


@click.command()
@output_options
@runs_async
async def credits(out: Output) -> None:
    """Plan, remaining credits and generation capacity."""
    async with client_from_env() as sume:
        out.data(await sume.credits.get())


@click.group()
def brand() -> None:
    """Brand DNA profiles."""


@brand.command("list")
@click.option("--domain", help="Only the profile of this domain.")
@list_options
@output_options
@runs_async
async def brand_list(out: Output, domain: str | None, limit: int, cursor: str | None, all_pages: bool) -> None:
    """Brand DNA profiles of the workspace."""
    async with client_from_env() as sume:
        await print_page(
            out, sume.brand.list(domain=domain, limit=limit), cursor, ["id", "name", "domain"], all_pages=all_pages
        )


@brand.command("current")
@output_options
@runs_async
async def brand_current(out: Output) -> None:
    """The current brand context (its images[].reference_url work as --reference-image-url)."""
    async with client_from_env() as sume:
        out.data(await sume.brand.current())


@click.group()
def avatars() -> None:
    """Avatars for ad videos and Face Swap."""


@avatars.command("list")
@list_options
@output_options
@runs_async
async def avatars_list(out: Output, limit: int, cursor: str | None, all_pages: bool) -> None:
    """Public and workspace avatars."""
    async with client_from_env() as sume:
        await print_page(out, sume.avatars.list(limit=limit), cursor, ["id", "name", "visibility"], all_pages=all_pages)


@avatars.command("get")
@click.argument("avatar_id")
@output_options
@runs_async
async def avatars_get(out: Output, avatar_id: str) -> None:
    """One avatar."""
    async with client_from_env() as sume:
        out.data(await sume.avatars.get(avatar_id))


def register(group: click.Group) -> None:
    for command in (me, credits, brand, avatars):
        group.add_command(command)
