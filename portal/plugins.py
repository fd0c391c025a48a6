"""Builds the one PluginManager of the process: built-ins first, then third parties.

Third-party plugins come from the ``plateau`` entry-point group unless
PLATEAU_DISABLE_PLUGIN_AUTOLOAD is set; any plugin (built-in or not) can be switched off
by name with PLATEAU_PLUGINS_DISABLED.
"""

import importlib
import pkgutil
import threading
from dataclasses import dataclass

import pluggy

import plugins as builtin_plugins_package
from portal import hookspecs

_manager: pluggy.PluginManager | None = None
_lock = threading.Lock()


@dataclass(frozen=True)
class PluginInfo:
    name: str
    module: str
    version: str | None
    builtin: bool
    hooks: tuple[str, ...]


def build_plugin_manager(autoload: bool, disabled: list[str]) -> pluggy.PluginManager:
    manager = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    manager.add_hookspecs(hookspecs)
    for name in disabled:
        manager.set_blocked(name)
    for name in builtin_plugin_names():
        manager.register(importlib.import_module(f"plugins.{name}"), name=name)
    if autoload:
        manager.load_setuptools_entrypoints(hookspecs.PROJECT_NAME)
    manager.check_pending()
    return manager


def builtin_plugin_names() -> list[str]:
    """Every module or package directly under ``plugins/`` is a built-in plugin."""
    return sorted(module.name for module in pkgutil.iter_modules(builtin_plugins_package.__path__))


def get_plugin_manager() -> pluggy.PluginManager:
    global _manager
    if _manager is None:
        with _lock:
            if _manager is None:
                from django.conf import settings

                _manager = build_plugin_manager(
                    autoload=not settings.PLATEAU_DISABLE_PLUGIN_AUTOLOAD,
                    disabled=settings.PLATEAU_PLUGINS_DISABLED,
                )
    return _manager


def reset_plugin_manager() -> None:
    """Forget the manager so the next call rebuilds it (tests, after installing a plugin)."""
    global _manager
    with _lock:
        _manager = None


def hook():
    return get_plugin_manager().hook


def loaded_plugins() -> list[PluginInfo]:
    manager = get_plugin_manager()
    distributions = {id(plugin): dist for plugin, dist in manager.list_plugin_distinfo()}
    infos = []
    for name, plugin in manager.list_name_plugin():
        if plugin is None:  # blocked by PLATEAU_PLUGINS_DISABLED
            continue
        dist = distributions.get(id(plugin))
        infos.append(
            PluginInfo(
                name=name,
                module=getattr(plugin, "__name__", type(plugin).__name__),
                version=dist.version if dist else None,
                builtin=dist is None,
                hooks=tuple(sorted(impl.name for impl in manager.get_hookcallers(plugin) or [])),
            )
        )
    return sorted(infos, key=lambda info: (not info.builtin, info.name))
