"""Engine failures; every message is meant for the person running the step."""


class EngineError(Exception):
    pass


class StalePlanError(EngineError):
    """The saved plan no longer matches the step, its inputs or the state: plan again."""


class EngineCancelled(EngineError):
    pass


class EngineTimeout(EngineError):
    pass
