"""A local Planhat API for demos and tests: a real HTTP/1.1 server on 127.0.0.1.

Standard library only: it never imports PlanhatLibrary, Robot Framework or requests, and keeps its
own reading of Planhat (``facts.py``, a source per fact; ``behaviour.py`` for what is unsettled).
Start it with the ``planhat-simulator`` command, from Robot with ``Library  PlanhatLibrary.Simulator``,
or from Python::

    from planhat_simulator import PlanhatSimulator
    with PlanhatSimulator(api_key="secret") as sim:
        print(sim.url)
"""

from .server import DEFAULT_API_KEY, DEFAULT_TENANT, PlanhatSimulator, SimulatorInputError, running_simulator

__all__ = ["DEFAULT_API_KEY", "DEFAULT_TENANT", "PlanhatSimulator", "SimulatorInputError", "running_simulator"]
