"""A local Planhat API for demos and tests: a real HTTP/1.1 server on 127.0.0.1.

Start it with the ``planhat-simulator`` command, from Robot with ``Library  PlanhatLibrary.Simulator``,
or from Python::

    from PlanhatLibrary.simulator import PlanhatSimulator
    with PlanhatSimulator(api_key="secret") as sim:
        print(sim.url)
"""

from .server import DEFAULT_API_KEY, DEFAULT_TENANT, PlanhatSimulator, running_simulator

__all__ = ["DEFAULT_API_KEY", "DEFAULT_TENANT", "PlanhatSimulator", "running_simulator"]
