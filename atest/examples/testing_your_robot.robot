*** Settings ***
Documentation     How to test your own Planhat robot against the simulator, without touching a real tenant.
...
...               The keyword under test, "Sync Renewal Phase", is the kind of step a team writes for
...               production. The suite starts a simulator, seeds it, breaks it on purpose (a 429 storm)
...               and asserts what the robot did to it: the resulting data and the requests it sent.

Library           PlanhatLibrary
Library           PlanhatLibrary.Simulator

Suite Setup       Start Planhat Simulator    secrets_file=${OUTPUT_DIR}/secrets.json
Suite Teardown    Stop All Planhat Simulators
Test Setup        Prepare Tenant


*** Test Cases ***
Robot Moves Renewing Companies To The Renewal Phase
    Sync Renewal Phase
    ${acme} =    Planhat Simulator Entity Should Exist    companies    external_id=ACME-1
    Should Be Equal    ${acme}[phase]    renewal
    ${globex} =    Planhat Simulator Entity Should Exist    companies    external_id=GLOBEX-7
    Should Be Equal    ${globex}[phase]    live

Robot Rides Out A 429 Storm
    Inject Planhat Simulator Fault    429    GET    /companies    times=3    retry_after=0
    Sync Renewal Phase
    # three refusals, then the answer: the library retried, the robot did not notice
    Planhat Simulator Request Count Should Be    4    GET    /companies
    ${acme} =    Planhat Simulator Entity Should Exist    companies    external_id=ACME-1
    Should Be Equal    ${acme}[phase]    renewal

Robot Sends Nothing When Nothing Changed
    Sync Renewal Phase
    Clear Planhat Simulator Requests
    Sync Renewal Phase
    Planhat Simulator Request Count Should Be    0    PUT    /companies*

Robot Fails Clearly When Planhat Is Down
    Inject Planhat Simulator Fault    503    GET    /companies    times=${None}
    Run Keyword And Expect Error    *503 Service Unavailable after * retries*    Sync Renewal Phase


*** Keywords ***
Prepare Tenant
    [Documentation]    A clean simulator with two companies, and the robot authorized against it.
    Reset Planhat Simulator
    Seed Planhat Simulator    companies
    ...    [{"name": "Acme", "externalId": "ACME-1", "phase": "live", "custom": {"Renewal": "2026-12-15"}}]
    Seed Planhat Simulator    companies
    ...    [{"name": "Globex", "externalId": "GLOBEX-7", "phase": "live", "custom": {"Renewal": "2027-09-01"}}]
    Authorize Planhat
    Clear Planhat Simulator Requests    # count only what the robot step sends

Sync Renewal Phase
    [Documentation]    The robot step under test: companies renewing before 2027 go to phase "renewal".
    @{renewing} =    Query Entities    select externalId from companies where custom.Renewal < "2027-01-01"
    FOR    ${company}    IN    @{renewing}
        Ensure Entity    companies    {"externalId": "${company}[externalId]", "phase": "renewal"}
    END
