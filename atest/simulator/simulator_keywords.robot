*** Settings ***
Documentation     PlanhatLibrary.Simulator keywords: start, seed, faults, assertions, several simulators.

Resource          ../resources/planhat.resource

Suite Setup       Start Simulator And Authorize
Suite Teardown    Stop All Planhat Simulators
Test Setup        Reset Planhat Simulator


*** Variables ***
${DATA}    ${CURDIR}/data


*** Test Cases ***
Start Returns A Loopback URL
    ${url} =    Get Planhat Simulator URL
    Should Match Regexp    ${url}    ^http://127\\.0\\.0\\.1:\\d+$

Seed From A List, JSON Text, A CSV File And A JSON File
    ${count} =    Seed Planhat Simulator    companies    ${{ [{"name": "From list"}] }}
    Should Be Equal As Integers    ${count}    1
    Seed Planhat Simulator    Company    [{"name": "From text", "externalId": "TXT"}]
    Seed Planhat Simulator    companies    ${DATA}/companies.csv
    Seed Planhat Simulator    companies    ${DATA}/companies.json
    ${all} =    Get Planhat Simulator Entities    companies
    Length Should Be    ${all}    5
    ${globex} =    Planhat Simulator Entity Should Exist    companies    external_id=007
    Should Be Equal    ${globex}[phase]    onboarding
    ${acme} =    Planhat Simulator Entity Should Exist    companies    external_id=ACME-1
    Should Be Equal    ${acme}[custom][Segment]    Enterprise
    Planhat Simulator Entity Should Exist    companies    source_id=SRC-1

Seed Resolves Company References
    Seed Planhat Simulator    companies    [{"_id": "c9", "name": "Parent", "externalId": "P"}]
    Seed Planhat Simulator    endusers    [{"email": "kid@p.test", "companyId": "extid-P"}]
    ${users} =    Get Planhat Simulator Entities    endusers    {"companyId": "c9"}
    Length Should Be    ${users}    1

Start With A Seed File And A Second Alias
    ${url} =    Start Planhat Simulator    seed=${DATA}/seed.json    alias=second
    ${first} =    Get Planhat Simulator URL    alias=default
    Should Not Be Equal    ${url}    ${first}
    ${users} =    Get Planhat Simulator Entities    endusers    alias=second
    Should Be Equal    ${users}[0][companyId]    c1
    ${mine} =    Get Planhat Simulator Entities    endusers    alias=default
    Should Be Empty    ${mine}
    [Teardown]    Stop Planhat Simulator    second

Duplicate Alias Fails
    Run Keyword And Expect Error    A simulator with alias 'default' is already running*
    ...    Start Planhat Simulator

Keywords On A Stopped Alias Fail Clearly
    Run Keyword And Expect Error    No Planhat simulator 'gone' is running (running: default).
    ...    Reset Planhat Simulator    alias=gone

Seeding An Unknown Model Fails
    Run Keyword And Expect Error    Unknown Planhat model 'compnies'. Did you mean 'Company'?*
    ...    Seed Planhat Simulator    compnies    [{"name": "x"}]

Seeding A Malformed File Fails
    Run Keyword And Expect Error    *broken.json' is not valid JSON*
    ...    Seed Planhat Simulator    companies    ${DATA}/broken.json
    Run Keyword And Expect Error    Seed data is not valid JSON*
    ...    Seed Planhat Simulator    companies    [{"name": }]
    Run Keyword And Expect Error    *no such file*
    ...    Seed Planhat Simulator    companies    ${DATA}/missing.csv
    Run Keyword And Expect Error    Seed item 0 for 'Company' is not a JSON object.
    ...    Seed Planhat Simulator    companies    ["x"]

Inject A Status Fault And Count The Requests
    Inject Planhat Simulator Fault    503    GET    /companies    times=2
    Get Entities    companies
    Planhat Simulator Request Count Should Be    3    GET    /companies
    Run Keyword And Expect Error    Expected 2 request(s) matching GET /companies, got 3. All requests: GET*: 3
    ...    Planhat Simulator Request Count Should Be    2    GET    /companies

Inject Item Failures Into Bulk Upserts
    Inject Planhat Simulator Fault    method=PUT    path=/companies    fail_items=${{ ["B"] }}
    ${result} =    Send Planhat Request    PUT    companies
    ...    json=[{"name": "A", "externalId": "A"}, {"name": "B", "externalId": "B"}]
    Should Be Equal As Integers    ${result}[created]    1
    Should Be Equal    ${result}[createdErrors][0][item][externalId]    B

Inject A Fault For An Unknown Method Fails
    Run Keyword And Expect Error    Unknown method 'FETCH' for a fault*
    ...    Inject Planhat Simulator Fault    500    FETCH

Inject A Fault That Does Nothing Fails
    Run Keyword And Expect Error    A fault needs at least one of: status, drop, drop_after, latency, fail_items.
    ...    Inject Planhat Simulator Fault

Clear Faults
    Inject Planhat Simulator Fault    500    times=${None}
    Clear Planhat Simulator Faults
    Get Entities    companies

Inspect Requests With Bodies
    Create Entity    companies    {"name": "Logged"}
    @{posts} =    Get Planhat Simulator Requests    POST    /companies
    Should Be Equal    ${posts}[0][body][name]    Logged
    Should Be Equal As Integers    ${posts}[0][status]    200

Entity Existence Assertions
    Create Entity    companies    {"name": "Here", "externalId": "HERE"}
    Planhat Simulator Entity Should Exist    companies    external_id=HERE
    Planhat Simulator Entity Should Not Exist    companies    external_id=GONE
    Run Keyword And Expect Error    Company external_id\='GONE' does not exist.
    ...    Planhat Simulator Entity Should Exist    companies    external_id=GONE
    Run Keyword And Expect Error    Company external_id\='HERE' exists (_id *).
    ...    Planhat Simulator Entity Should Not Exist    companies    external_id=HERE

Activity Count
    Send Planhat Request    POST    analytics/bulk/00000000-0000-4000-8000-000000000000    analytics=${True}
    ...    json=[{"email": "a@x.test", "action": "Login"}, {"action": "dropped"}]
    Planhat Simulator Activity Count Should Be    1
    Run Keyword And Expect Error    Expected 2 stored activities, got 1.
    ...    Planhat Simulator Activity Count Should Be    2

Rate Limited Simulator Answers 429 With Retry After
    [Documentation]    Stop the rate-limited simulator and authorize against the suite's own again.
    Start Planhat Simulator    per_second=1    alias=limited
    ...    secrets_file=${OUTPUT_DIR}/${SUITE NAME}-secrets.json    vault_secret_name=limited
    Authorize Planhat    vault_secret_name=limited    validate=${False}
    Get Entities    companies
    Get Entities    companies
    @{answers} =    Get Planhat Simulator Requests    alias=limited
    Should Be Equal As Integers    ${answers}[1][status]    429
    [Teardown]    Stop Limited Simulator

JSON Text Is Accepted Where A Dictionary Is Expected
    Seed Planhat Simulator    companies    [{"name": "A", "active": true}, {"name": "B", "active": false}]
    @{active} =    Get Planhat Simulator Entities    companies    {"active": true}
    Length Should Be    ${active}    1
    Start Planhat Simulator    seed={"companies": [{"name": "S"}]}    behaviour={"retry_after": false}
    ...    alias=json
    @{seeded} =    Get Planhat Simulator Entities    companies    alias=json
    Length Should Be    ${seeded}    1
    [Teardown]    Stop Planhat Simulator    alias=json

Latency Slows Every Call By Its Time And Its Items
    Seed Planhat Simulator    companies    ${{ [{"name": f"L{i}"} for i in range(100)] }}
    Set Planhat Simulator Latency    200ms    2ms
    ${started} =    Evaluate    time.monotonic()    modules=time
    @{rows} =    Get Entities    companies
    ${took} =    Evaluate    time.monotonic() - $started    modules=time
    Length Should Be    ${rows}    100
    Should Be True    ${took} >= 0.4    one call and 100 listed objects: at least 0.2 s + 100 x 2 ms
    Run Keyword And Expect Error    Latency must be a duration such as 300ms or 0.5s, got 'soon'
    ...    Set Planhat Simulator Latency    soon
    [Teardown]    Set Planhat Simulator Latency


*** Keywords ***
Stop Limited Simulator
    [Documentation]    Stop the rate-limited simulator and authorize against the suite's own again.
    Stop Planhat Simulator    limited
    Authorize Planhat
