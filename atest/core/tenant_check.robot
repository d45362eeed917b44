*** Settings ***
Documentation     Check Planhat Tenant as a user runs it before going live (issue 25): against a simulator shaped
...               like a tenant that differs from the library's assumptions, then its profile loaded into a fresh
...               simulator, which the same check then finds shaped alike.

Resource          ../resources/planhat.resource

Suite Setup       Start Simulator And Authorize
Suite Teardown    Stop All Planhat Simulators
Test Setup        Reset Planhat Simulator


*** Variables ***
@{MODELS}    companies    churn    customfields    tasks


*** Test Cases ***
The Report Shows Each Way The Tenant Differs, Reading Only
    Shape The Tenant
    Clear Planhat Simulator Requests
    ${profile} =    Check Planhat Tenant    report=${OUTPUT_DIR}/tenant-a.json    slow=0.3s
    Difference Should Be Listed    ${profile}    unreadable    Churn
    Difference Should Be Listed    ${profile}    lower_page_cap    Company
    Difference Should Be Listed    ${profile}    unknown_fields    Company
    Difference Should Be Listed    ${profile}    slow    Task
    Difference Should Be Listed    ${profile}    rate_limited    ${EMPTY}
    Should Be Equal As Integers    ${profile}[models][companies][page_cap][cap]    55
    List Should Contain Value    ${profile}[models][companies][generated]    __v
    Only Gets Within The Budget Were Sent    ${profile}
    File Should Exist    ${OUTPUT_DIR}/tenant-a.html

A Profile Makes A Fresh Simulator A Twin Of The Tenant's Shape
    Shape The Tenant
    ${first} =    Check Planhat Tenant    report=${OUTPUT_DIR}/tenant-b.json    models=${MODELS}
    Start Twin    ${OUTPUT_DIR}/tenant-b.json
    ${twin} =    Check Planhat Tenant    report=${OUTPUT_DIR}/tenant-twin.json    models=${MODELS}
    Should Be Equal    ${twin}[customfields]    ${first}[customfields]
    Should Be Equal    ${{ sorted($twin["models"]["companies"]["fields"]) }}
    ...    ${{ sorted($first["models"]["companies"]["fields"]) }}
    Should Be Equal    ${twin}[models][companies][page_cap][cap]    ${first}[models][companies][page_cap][cap]
    Should Be Equal As Integers    ${twin}[models][churn][status]    403
    [Teardown]    Back To The First Simulator

The Field Check Uses The Profile
    Shape The Tenant
    Check Planhat Tenant    report=${OUTPUT_DIR}/tenant-c.json    models=${MODELS}
    Authorize Planhat    tenant_profile=${OUTPUT_DIR}/tenant-c.json
    Create Entity    companies    name=Known From The Profile    extraThing=yes
    Run Keyword And Expect Error    *extraThing*    Create Entity    companies    name=A Slip    extrathing=yes


*** Keywords ***
Shape The Tenant
    [Documentation]    60 companies with a field the library's tables lack and __v, a custom field, a page cap of
    ...    55, churn the token may not read, slow tasks and one 429.
    ${companies} =    Companies With Extra Field    ${60}
    Seed Planhat Simulator    companies    ${companies}
    Seed Planhat Simulator    customfields    [{"name": "Health", "type": "number", "parent": "Company"}]
    Set Planhat Simulator Behaviour    page_cap=${55}
    Inject Planhat Simulator Fault    403    GET    /churn    times=${None}
    Inject Planhat Simulator Fault    method=GET    path=/tasks    times=${None}    latency=0.5s
    Inject Planhat Simulator Fault    429    GET    /endusers    retry_after=0

Difference Should Be Listed
    [Documentation]    The profile lists a difference of this kind for this model.
    [Arguments]    ${profile}    ${kind}    ${model}
    FOR    ${item}    IN    @{profile}[differences]
        IF    $item["kind"] == $kind and $item["model"] == $model    RETURN
    END
    Fail    No '${kind}' difference for '${model}' in ${profile}[differences]

Only Gets Within The Budget Were Sent
    [Documentation]    The simulator's own request log: GET only, as many as the profile says, at most 60.
    [Arguments]    ${profile}
    @{sent} =    Get Planhat Simulator Requests
    @{gets} =    Get Planhat Simulator Requests    method=GET
    Should Be Equal    ${sent}    ${gets}
    ${count} =    Get Length    ${sent}
    Should Be True    ${count} <= 60
    Should Be Equal As Integers    ${count}    ${profile}[requests][sent]

Start Twin
    [Documentation]    A fresh simulator from the profile, holding 60 companies of its own, and a session on it.
    [Arguments]    ${profile}
    Start Planhat Simulator    tenant_profile=${profile}    alias=twin
    ...    secrets_file=${OUTPUT_DIR}/${SUITE NAME}-secrets.json    vault_secret_name=planhat_twin
    ${rows} =    Evaluate    [{"name": f"Twin {n}"} for n in range(60)]
    Seed Planhat Simulator    companies    ${rows}    alias=twin
    Authorize Planhat    vault_secret_name=planhat_twin

Back To The First Simulator
    [Documentation]    Stop the twin and authorize against the suite's simulator again.
    Stop Planhat Simulator    alias=twin
    Authorize Planhat
