*** Settings ***
Documentation     Ensure Entity and Ensure Entities: request counts from the simulator's log, idempotency, bad input.

Resource          ../resources/planhat.resource
Library           Process

Suite Setup       Start Simulator And Authorize
Suite Teardown    Stop All Planhat Simulators
Test Setup        Reset Planhat Simulator


*** Test Cases ***
New Entity Costs One Lookup And One Write
    ${outcome} =    Ensure Entity    companies    {"externalId": "ACME", "name": "Acme", "mrr": 10}
    Should Be Equal    ${outcome}[action]    created
    Planhat Simulator Request Count Should Be    1    GET
    Planhat Simulator Request Count Should Be    1    PUT
    Planhat Simulator Request Count Should Be    2
    Planhat Simulator Entity Should Exist    companies    external_id=ACME

Unchanged Entity Costs One Lookup And No Write
    &{custom} =    Create Dictionary    Tier=${2}    Other=x
    &{acme} =    Create Dictionary
    ...    externalId=ACME
    ...    name=Acme
    ...    mrr=${10}
    ...    renewal=2026-03-01T10:00:00.000Z
    ...    custom=${custom}
    Seed Planhat Simulator    companies    ${{ [$acme] }}
    ${outcome} =    Ensure Entity    companies
    ...    {"externalId": "ACME", "mrr": 10.0, "renewal": "2026-03-01T11:00:00+01:00", "custom": {"Tier": 2}}
    Should Be Equal    ${outcome}[action]    unchanged
    # one lookup, no write; the custom fields' definitions are read once per session (GET /customfields)
    Planhat Simulator Request Count Should Be    1    GET    /companies*
    Planhat Simulator Request Count Should Be    1    GET    /companies/extid-ACME
    Planhat Simulator Request Count Should Be    0    PUT
    Planhat Simulator Request Count Should Be    0    POST

Changed Entity Sends Only The Changed Fields And Custom Whole
    [Documentation]    Planhat does not document whether a partial custom object merges or replaces: the stored
    ...    custom fields are sent with the changed one, which is right under both readings.
    Seed Planhat Simulator
    ...    companies
    ...    [{"externalId": "ACME", "name": "Acme", "mrr": 10, "custom": {"Tier": 2, "Seg": "A", "Region": "EU"}}]
    Set Planhat Simulator Behaviour    custom_update=replace
    ${outcome} =    Ensure Entity
    ...    companies
    ...    {"externalId": "ACME", "name": "Acme", "mrr": 12, "custom": {"Tier": 2, "Seg": "B"}}
    Should Be Equal As Integers    ${outcome}[entity][mrr]    12
    Planhat Simulator Request Count Should Be    1    GET    /companies*
    Planhat Simulator Request Count Should Be    1    PUT
    @{puts} =    Get Planhat Simulator Requests    PUT    /companies/*
    Should Be Equal    ${puts}[0][body]    ${{ {"mrr": 12, "custom": {"Tier": 2, "Seg": "B", "Region": "EU"}} }}
    ${stored} =    Planhat Simulator Entity Should Exist    companies    external_id=ACME
    Should Be Equal    ${stored}[custom]    ${{ {"Tier": 2, "Seg": "B", "Region": "EU"} }}

Dry Run Writes Nothing
    Seed Planhat Simulator    companies    [{"externalId": "ACME", "name": "Acme", "mrr": 10}]
    ${plan} =    Ensure Entity    companies    {"externalId": "ACME", "mrr": 11}    dry_run=True
    Should Be Equal    ${plan}[action]    updated
    Should Be Equal    ${plan}[payload]    ${{ {"mrr": 11} }}
    ${plan} =    Ensure Entity    companies    {"externalId": "NEW", "name": "New"}    dry_run=True
    Should Be Equal    ${plan}[action]    created
    Planhat Simulator Request Count Should Be    0    PUT
    Planhat Simulator Request Count Should Be    0    POST

Ensure By A Non Key Field Scans And Detects Ambiguity
    Seed Planhat Simulator
    ...    companies
    ...    [{"_id": "a1", "name": "Twin"}, {"_id": "a2", "name": "Twin"}, {"_id": "a3", "name": "Solo"}]
    ${solo} =    Ensure Entity    companies    {"name": "Solo", "phase": "live"}    identifying_keys=name
    Should Be Equal    ${solo}[entity][_id]    a3
    Run Keyword And Expect Error    2 Company objects match name = 'Twin': a1, a2. Cannot tell which to update.
    ...    Ensure Entity    companies    {"name": "Twin", "phase": "live"}    identifying_keys=name

Ensure An End User By Email
    Seed Planhat Simulator    companies    [{"_id": "c1", "name": "C"}]
    Seed Planhat Simulator    endusers    [{"email": "ann@x.test", "companyId": "c1", "name": "Ann"}]
    ${user} =    Ensure Entity    endusers    {"email": "ann@x.test", "name": "Anna"}
    Should Be Equal    ${user}[entity][name]    Anna
    @{gets} =    Get Planhat Simulator Requests    GET    /endusers
    Should Contain    ${gets}[0][query]    email=ann%40x.test

Tickets Are Ensured Through Bulk Upserts
    Seed Planhat Simulator    companies    [{"_id": "c1", "name": "C"}]
    ${created} =    Ensure Entity    tickets
    ...    {"externalId": "T-1", "companyId": "c1", "title": "Broken", "sourceId": "S-1", "email": "a@c.test"}
    Should Be Equal    ${created}[action]    created
    ${updated} =    Ensure Entity    tickets    {"externalId": "T-1", "title": "Fixed", "email": "a@c.test"}
    Should Be Equal    ${updated}[changed]    ${{ ["title"] }}
    Planhat Simulator Request Count Should Be    2    PUT    /tickets
    ${tickets} =    Get Planhat Simulator Entities    tickets
    Should Be Equal    ${tickets}[0][title]    Fixed

Bad Input Fails And Writes Nothing
    Run Keyword And Expect Error    Unknown Planhat model 'compnies'*
    ...    Ensure Entity    compnies    {"externalId": "A"}
    Run Keyword And Expect Error    Company data must be a dictionary, got list*
    ...    Ensure Entity    companies    ["A"]
    Run Keyword And Expect Error    Identifying key(s) externalId not in the Company data*
    ...    Ensure Entity    companies    {"name": "A"}    identifying_keys=externalId
    Run Keyword And Expect Error    Cannot ensure a Company without an identifying key*
    ...    Ensure Entity    companies    {"name": "A"}
    Planhat Simulator Request Count Should Be    0

Two Parallel Ensure Runs Leave Exactly One Entity
    # Hold both writes back: the second run looks up while the first one's create is still pending.
    Inject Planhat Simulator Fault    method=PUT    path=/companies    latency=3    times=2
    ${one} =    Start Ensure Once
    ${two} =    Start Ensure Once
    Process Should Have Passed    ${one}
    Process Should Have Passed    ${two}
    # both runs found nothing (their lookups overlapped) and both wrote: the keyed upsert made it one object
    Planhat Simulator Request Count Should Be    2    PUT    /companies
    # two lookups, plus one by the run whose upsert matched the other's object (to return it whole)
    Planhat Simulator Request Count Should Be    3    GET    /companies/extid-RACE
    @{companies} =    Get Planhat Simulator Entities    companies    {"externalId": "RACE"}
    Length Should Be    ${companies}    1

12000 Items With 10000 Existing Cost 3 Reads And 1 Write
    ${existing} =    Numbered Companies    10000
    Seed Planhat Simulator    companies    ${existing}
    ${items} =    Numbered Companies    12000    mrr_bump_below=1000
    ${result} =    Ensure Entities    companies    ${items}
    Planhat Simulator Request Count Should Be    3    GET    /companies
    Planhat Simulator Request Count Should Be    1    PUT    /companies
    @{puts} =    Get Planhat Simulator Requests    PUT    /companies
    Should Be Equal As Integers    ${puts}[0][items]    3000
    Should Be Equal
    ...    ${{ [$result["created"], $result["updated"], $result["unchanged"]] }}
    ...    ${{ [2000, 1000, 9000] }}
    Should Be Equal    ${result}[changed_fields]    ${{ {"mrr": 1000} }}
    Stored Company Count Should Be    12000
    ${again} =    Ensure Entities    companies    ${items}
    Should Be Equal As Integers    ${again}[unchanged]    12000
    Planhat Simulator Request Count Should Be    1    PUT    /companies

Ensure Entities Dry Run And Bad Input
    ${plan} =    Ensure Entities    companies    [{"externalId": "A", "name": "A"}]    dry_run=True
    Should Be Equal As Integers    ${plan}[created]    1
    Planhat Simulator Request Count Should Be    0    PUT
    Run Keyword And Expect Error
    ...    2 of 3 Company item(s) cannot be ensured, nothing was sent: item 1: no externalId; item 2: externalId 'A' *
    ...    Ensure Entities    companies    [{"externalId": "A"}, {"name": "B"}, {"externalId": "A"}]
    Run Keyword And Expect Error    CustomField does not support bulk*
    ...    Ensure Entities    customfields    [{"externalId": "A"}]


*** Keywords ***
Start Ensure Once
    [Documentation]    Start utest/robot/ensure_once.robot in its own Robot process, with this suite's secret.
    ${secrets} =    Get Environment Variable    RPA_SECRET_FILE
    ${process} =    Start Process    ${PYTHON}    -m    robot    --output    NONE    --log    NONE    --report    NONE
    ...    --pythonpath    ${SRC}    ${ROOT}/utest/robot/ensure_once.robot    env:RPA_SECRET_FILE=${secrets}
    ...    stderr=STDOUT
    RETURN    ${process}

Process Should Have Passed
    [Documentation]    Wait for a process and fail with its output unless it exited with 0.
    [Arguments]    ${process}
    ${result} =    Wait For Process    ${process}    timeout=60    on_timeout=kill
    Should Be Equal As Integers    ${result.rc}    0    ${result.stdout}

Stored Company Count Should Be
    [Documentation]    The simulator holds exactly ${count} companies.
    [Arguments]    ${count}
    ${stored} =    Get Planhat Simulator Entities    companies
    Length Should Be    ${stored}    ${count}
