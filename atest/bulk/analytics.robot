*** Settings ***
Documentation     Create Activity, Create Bulk Activities and Push Metrics against the simulator's analytics host.

Resource          ../resources/planhat.resource

Suite Setup       Start Simulator And Authorize
Suite Teardown    Stop All Planhat Simulators
Test Setup        Reset Planhat Simulator


*** Test Cases ***
One Activity
    Create Activity    ann@acme.test    action=Logged in    company_external_id=ACME-1    info={"pages": 3}
    Planhat Simulator Activity Count Should Be    1
    @{activities} =    Get Planhat Simulator Activities
    Should Be Equal    ${activities}[0][companyExternalId]    ACME-1
    Should Be Equal    ${activities}[0][info][pages]    ${3}

Activity With A Date Goes Out As ISO 8601 With A Zone
    ${when} =    Evaluate    datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    Create Activity    external_id=U-1    action=Export    date=${when}
    @{activities} =    Get Planhat Simulator Activities
    Should Be Equal    ${activities}[0][date]    2026-01-02T03:04:05+00:00

Activity Without A User Fails Before Sending
    Run Keyword And Expect Error    1 of 1 activity are invalid*needs an email or one of externalId, id, euExtId*
    ...    Create Activity    action=Logged in
    Planhat Simulator Request Count Should Be    0

Bulk Activities Are Chunked
    ${items} =    Evaluate    [{"email": f"u{i}@x.test", "action": "Login"} for i in range(2500)]
    ${result} =    Create Bulk Activities    ${items}    chunk_size=1000
    Should Be Equal As Integers    ${result}[requests]    3
    Planhat Simulator Request Count Should Be    3    POST    /analytics/bulk/*
    Planhat Simulator Activity Count Should Be    2500

Bulk Activities Check Every Item First
    ${items} =    Evaluate    [{"email": "a@x.test"}, {"action": "no user"}, {"externalId": "U-2"}, 7]
    Run Keyword And Expect Error
    ...    2 of 4 activities are invalid, nothing was sent: item 1: needs*item 3: not a dictionary*
    ...    Create Bulk Activities
    ...    ${items}
    Planhat Simulator Request Count Should Be    0

Reference Check Stops Activities Planhat Would Drop
    Seed Planhat Simulator    companies    [{"_id": "c1", "name": "Acme", "externalId": "ACME-1"}]
    Seed Planhat Simulator    endusers    [{"email": "ann@acme.test", "companyId": "c1", "externalId": "U-1"}]
    ${items} =    Evaluate
    ...    [{"email": "ANN@acme.test"}, {"externalId": "U-1", "companyExternalId": "NOPE"}, {"email": "x@y.test"}]
    ${error} =    Run Keyword And Expect Error    *
    ...    Create Bulk Activities    ${items}    check_references=${True}
    Should Start With    ${error}    2 of 3 activities name an end user or company Planhat does not know
    Should Contain    ${error}    item 1: no company with externalId 'NOPE'
    Should Contain    ${error}    item 2: no end user with email 'x@y.test'
    Planhat Simulator Request Count Should Be    0    POST
    ${sent} =    Create Bulk Activities    ${items}[:1]    check_references=${True}
    Should Be Equal As Integers    ${sent}[total]    1
    Create Activity    external_id=U-1    action=Login    company_external_id=ACME-1    check_references=${True}
    Planhat Simulator Activity Count Should Be    2

Metrics Are Pushed
    Seed Planhat Simulator    companies    [{"_id": "c1", "name": "Acme", "externalId": "ACME-1"}]
    ${metrics} =    Evaluate    [{"dimensionId": "logins", "value": i, "externalId": "ACME-1"} for i in range(5)]
    ${result} =    Push Metrics    ${metrics}
    Should Be Equal As Integers    ${result}[processed]    5
    @{stored} =    Get Planhat Simulator Metrics
    Should Be Equal    ${stored}[0][companyId]    c1

One Metric As A Dictionary
    &{metric} =    Create Dictionary    dimensionId=seats    value=${12}    externalId=ACME-1
    ${result} =    Push Metrics    ${metric}
    Should Be Equal As Integers    ${result}[processed]    1

Metric Without Dimension Id Fails Before Sending
    Run Keyword And Expect Error    1 of 2 metrics are invalid, nothing was sent: item 1: dimensionId must be specified
    ...    Push Metrics    [{"dimensionId": "a", "value": 1, "externalId": "X"}, {"value": 1, "externalId": "X"}]
    Run Keyword And Expect Error    *value must be a number*
    ...    Push Metrics    [{"dimensionId": "a", "value": "1", "externalId": "X"}]
    Planhat Simulator Request Count Should Be    0

Rows Planhat Rejects Fail Unless On Error Continue
    Inject Planhat Simulator Fault    200    POST    /dimensiondata/*    times=2
    ...    body={"processed": 0, "errors": [{"item": {"dimensionId": "a", "externalId": "X"}, "error": "quota"}]}
    Run Keyword And Expect Error    Push Metrics: Planhat rejected 1 of 1 metric(s): a/X: quota
    ...    Push Metrics    [{"dimensionId": "a", "value": 1, "externalId": "X"}]
    ${result} =    Push Metrics    [{"dimensionId": "a", "value": 1, "externalId": "X"}]    on_error=continue
    Length Should Be    ${result}[errors]    1

No Tenant UUID Fails With How To Set It
    [Tags]    require-rf-7.4    # uses robot.api.types.Secret
    Skip Unless Robot Has Secret
    ${url} =    Get Planhat Simulator URL
    Start Planhat Simulator    alias=no-tenant
    ${key} =    Evaluate    robot.api.types.Secret("irrelevant-key")    modules=robot.api.types
    Authorize Planhat    ${key}    api_url=${url}    validate=${False}
    Run Keyword And Expect Error    This call needs the tenant UUID*tenant_uuid*Vault secret*
    ...    Create Activity    ann@acme.test    action=Login
    Run Keyword And Expect Error    This call needs the tenant UUID*
    ...    Push Metrics    [{"dimensionId": "a", "value": 1, "externalId": "X"}]
    [Teardown]    Restore Authorization

Activities And Metrics Go Out In Parallel And All Land Once
    ${activities} =    Evaluate    [{"email": f"p{i}@acme.test", "action": "Login"} for i in range(900)]
    ${sent} =    Create Bulk Activities    ${activities}    chunk_size=100    parallel=3
    Should Be Equal As Integers    ${sent}[landed]    900
    Should Be Equal As Integers    ${sent}[requests]    9
    ${metrics} =    Evaluate    [{"dimensionId": "seats", "value": i, "externalId": f"M{i}"} for i in range(300)]
    ${pushed} =    Push Metrics    ${metrics}    chunk_size=50    parallel=3
    Should Be Equal As Integers    ${pushed}[processed]    300
    Planhat Simulator Activity Count Should Be    900


*** Keywords ***
Restore Authorization
    [Documentation]    Back to the suite's simulator and secret.
    Stop Planhat Simulator    no-tenant
    Authorize Planhat
