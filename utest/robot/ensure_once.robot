*** Settings ***
Documentation    Run twice at once by atest/ensure/ensure_entity.robot: both ensure the same company.

Library          PlanhatLibrary


*** Test Cases ***
Ensure The Race Company
    Authorize Planhat    validate=${False}
    Ensure Entity    companies    {"externalId": "RACE", "name": "Race Inc", "mrr": 5}
