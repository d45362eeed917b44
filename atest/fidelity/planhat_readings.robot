*** Settings ***
Documentation     Keywords under each reading of what Planhat does where its documentation is silent: the
...               simulator plays real Planhat with Set Planhat Simulator Behaviour (sources in docs/simulator.md).

Resource          ../resources/planhat.resource

Suite Setup       Start Simulator And Authorize
Suite Teardown    Stop All Planhat Simulators
Test Setup        Seed Two Companies


*** Test Cases ***
A Delete Answered With OK Is A Success
    Set Planhat Simulator Behaviour    answer_bodies=text
    Create Company    Gone    GONE
    ${answer} =    Delete Entity    companies    external_id=GONE
    Should Be Equal    ${answer}    ${None}
    Planhat Simulator Entity Should Not Exist    companies    external_id=GONE

Activities Answered With Nothing Are Not Sent Twice
    Set Planhat Simulator Behaviour    answer_bodies=empty
    ${activities} =    Set Variable    ${{ [{"email": f"u{i}@one.test", "action": "Login"} for i in range(3)] }}
    ${result} =    Create Bulk Activities    ${activities}    chunk_size=2
    Should Be Equal As Integers    ${result}[requests]    2
    Planhat Simulator Activity Count Should Be    3

A Rate Limit Without Retry After Is Waited Out
    Set Planhat Simulator Behaviour    retry_after=${False}
    Inject Planhat Simulator Fault    429    GET    /companies    times=2
    ${companies} =    Get Entities    companies
    Length Should Be    ${companies}    2
    Planhat Simulator Request Count Should Be    3    GET    /companies

Ensure Entities Never Updates Another Company's End User
    Set Planhat Simulator Behaviour    enduser_match=tenant
    Seed Planhat Simulator    endusers
    ...    [{"_id": "u-one", "email": "ann@one.test", "externalId": "U1", "companyId": "c-one"}]
    ${result} =    Ensure Entities    endusers
    ...    [{"email": "bob@two.test", "externalId": "U1", "companyId": "extid-TWO", "name": "Bob"}]
    Should Be Equal As Integers    ${result}[created]    1
    ${ann} =    Planhat Simulator Entity Should Exist    endusers    u-one
    Dictionary Should Not Contain Key    ${ann}    name

A Second Ensure Of End Users Linked By Extid Writes Nothing
    ${users} =    Set Variable
    ...    ${{ [{"email": f"u{i}@one.test", "externalId": f"U{i}", "companyId": "extid-ONE"} for i in range(30)] }}
    Ensure Entities    endusers    ${users}
    Clear Planhat Simulator Requests
    ${again} =    Ensure Entities    endusers    ${users}
    Should Be Equal As Integers    ${again}[unchanged]    30
    Planhat Simulator Request Count Should Be    0    PUT
    Planhat Simulator Request Count Should Be    0    POST

Update Entity Keeps Other Custom Fields When Planhat Replaces Custom
    Set Planhat Simulator Behaviour    custom_update=replace
    Seed Planhat Simulator    companies    [{"_id": "c3", "name": "Acme", "custom": {"Tier": 1, "Seg": "A"}}]
    Update Entity    companies    c3    {"custom": {"Seg": "B"}}
    ${acme} =    Planhat Simulator Entity Should Exist    companies    c3
    Should Be Equal    ${acme}[custom]    ${{ {"Tier": 1, "Seg": "B"} }}

A Full Object From Get Entity Can Be Sent Back
    ${one} =    Get Entity    companies    external_id=ONE
    Set To Dictionary    ${one}    phase=live
    ${updated} =    Update Entity    companies    external_id=ONE    data=${one}
    Should Be Equal    ${updated}[phase]    live

A Server Capping Pages Below The Limit Loses No Row
    Set Planhat Simulator Behaviour    page_cap=300    # text from Robot is read as a number
    Seed Planhat Simulator    projects    ${{ [{"name": f"P{i}", "companyId": "c-one"} for i in range(1000)] }}
    ${projects} =    Get Entities    projects
    Length Should Be    ${projects}    1000

Required Fields Are Checked Before Sending
    Run Keyword And Expect Error    Create NPS: missing required field(s) score*
    ...    Create Entity    nps    {"email": "ann@one.test", "cId": "c-one"}
    ${nps} =    Create Entity    nps    {"email": "ann@one.test", "score": 9}
    Should Be Equal As Integers    ${nps}[score]    9

An End User Planhat Ignores Is Reported
    Run Keyword And Expect Error    *Planhat ignored this item without an error*
    ...    Bulk Upsert Entities    endusers    [{"email": "bob@nowhere.test", "externalId": "B"}]
    ...    failed_items_file=${OUTPUT_DIR}/ignored-endusers.jsonl
    ${left} =    Get File    ${OUTPUT_DIR}/ignored-endusers.jsonl
    Should Contain    ${left}    bob@nowhere.test

Invoice Dates Go Out As Day Numbers
    Bulk Upsert Entities    invoices
    ...    [{"extId": "INV-1", "cId": "c-one", "currency": "EUR", "invoiceDate": "2026-11-29"}]
    @{invoices} =    Get Planhat Simulator Entities    invoices
    Should Be Equal As Integers    ${invoices}[0][invoiceDate]    20786

Bulk Activities Accept The 2017 Field Names
    Seed Planhat Simulator    endusers    [{"email": "ann@one.test", "externalId": "U1", "companyId": "c-one"}]
    ${result} =    Create Bulk Activities
    ...    [{"id": "U1", "cId": "ONE", "action": "Login", "count": 3}]    check_references=${True}
    Should Be Equal As Integers    ${result}[total]    1
    Planhat Simulator Activity Count Should Be    1

Tickets Cannot Be Created One By One And Deals Can
    Run Keyword And Expect Error    Ticket does not support create*
    ...    Create Entity    tickets    {"companyId": "c-one"}
    ${deal} =    Create Entity    deals    {"name": "Renewal", "companyId": "c-one"}
    Should Not Be Empty    ${deal}[_id]


*** Keywords ***
Seed Two Companies
    [Documentation]    A clean simulator with the start-up behaviour, holding companies One and Two.
    Reset Planhat Simulator
    Seed Planhat Simulator    companies
    ...    [{"_id": "c-one", "name": "One", "externalId": "ONE"}, {"_id": "c-two", "name": "Two", "externalId": "TWO"}]
