"""The one decorator every command body wears, and the exit codes (docs/architecture.md §5).

``@command`` turns the errors of the API into one line on stderr and an exit
code, and gives a body with a ``read: ReadArgs`` parameter the four read
options of :class:`~airwitness.cli.options.ReadArgs` in its place.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import typing
from collections.abc import Callable
from typing import Any

import typer

from airwitness.cli.options import ReadArgs
from airwitness.errors import InputError, SpillError, UsageError

EXIT_CHANGED = 1  # manifest check: a file missing or changed
EXIT_USAGE = 2
EXIT_BAD_INPUT = 3  # unreadable or invalid input; with --strict, a damaged record
EXIT_NO_SPILL_ROOM = 4

READ = "read"  # the parameter that stands for the read options
_READ_FIELDS = tuple(f.name for f in dataclasses.fields(ReadArgs))


def command(body: Callable[..., None]) -> Callable[..., None]:
    """``body`` as a command: bad input exits 3, bad usage 2, no room to spill 4,
    each with one line; a ``read`` parameter is given as the read options."""
    signature = inspect.signature(body, eval_str=True)
    takes_read = READ in signature.parameters

    @functools.wraps(body)
    def run(**kwargs: Any) -> None:
        if takes_read:
            kwargs[READ] = ReadArgs(**{f: kwargs.pop(f) for f in _READ_FIELDS})
        try:
            body(**kwargs)
        except InputError as exc:
            typer.echo(f"airwitness: error: {exc}", err=True)
            raise typer.Exit(EXIT_BAD_INPUT) from None
        except UsageError as exc:
            typer.echo(f"airwitness: usage error: {exc}", err=True)
            raise typer.Exit(EXIT_USAGE) from None
        except SpillError as exc:
            typer.echo(f"airwitness: error: {exc}", err=True)
            raise typer.Exit(EXIT_NO_SPILL_ROOM) from None

    if takes_read:
        signature = _with_read_options(signature)
    # Typer reads the options off this signature and these annotations.
    run.__signature__ = signature  # type: ignore[attr-defined]
    run.__annotations__ = {p.name: p.annotation for p in signature.parameters.values()}
    return run


def _with_read_options(signature: inspect.Signature) -> inspect.Signature:
    """The signature with the four read options where its ``read`` parameter was."""
    hints = typing.get_type_hints(ReadArgs, include_extras=True)
    options = [
        inspect.Parameter(
            f.name,
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
            default=f.default,
            annotation=hints[f.name],
        )
        for f in dataclasses.fields(ReadArgs)
    ]
    params: list[inspect.Parameter] = []
    for p in signature.parameters.values():
        params += options if p.name == READ else [p]
    return signature.replace(parameters=params)
