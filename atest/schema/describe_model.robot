*** Settings ***
Documentation     Describe Model, the field check of queries and the custom field check of loads: a typo or a
...               value of the wrong type fails before anything is sent.

Resource          ../resources/planhat.resource

Suite Setup       Start Simulator And Authorize
Suite Teardown    Stop All Planhat Simulators
Test Setup        Seed Custom Fields


*** Test Cases ***
Describe Model Lists Standard And Custom Fields
    ${company} =    Describe Model    companies
    Should Be Equal    ${company}[model]    Company
    Should Be Equal    ${company}[custom_fields][Health][type]    number
    Should Be Equal    ${company}[custom_fields][Segment][values]    ${{ ["SMB", "Enterprise"] }}
    Dictionary Should Contain Key    ${company}[standard_fields]    externalId
    Should Be Equal    ${company}[identifying_keys]    ${{ ["_id", "sourceId", "externalId"] }}
    Describe Model    endusers
    Planhat Simulator Request Count Should Be    1    GET    /customfields

A Misspelt Standard Field Fails Before Any Request
    ${error} =    Run Keyword And Expect Error    *
    ...    Query Entities    companies where phse is "live"
    Should Contain    ${error}    Company has no field 'phse'; did you mean 'phase'?
    Should Contain    ${error}    Invalid query at column 17
    Planhat Simulator Request Count Should Be    0

A Misspelt Custom Field Fails After Reading Only The Custom Fields
    Run Keyword And Expect Error    *Company has no field 'custom.Helth'; did you mean 'custom.Health'?*
    ...    Count Entities    companies where custom.Helth < 4
    Planhat Simulator Request Count Should Be    1
    Planhat Simulator Request Count Should Be    1    GET    /customfields

A Number Field Compared With Text Fails Before Any Request
    Run Keyword And Expect Error    *custom.Health is a number field: compare it with a number, not text*
    ...    Query Entities    companies where custom.Health < "4"
    Planhat Simulator Request Count Should Be    0    GET    /companies

The Check Can Be Turned Off
    @{rows} =    Query Entities    companies where nickname is "x"    check_fields=${False}
    Should Be Empty    ${rows}

A CSV Without Typed Headers Is Read By The Custom Field Types
    Create File    ${OUTPUT_DIR}/health.csv    externalId,name,custom.Health,custom.Segment\nH-1,Hale,4,SMB\n
    Bulk Upsert Entities    companies    ${OUTPUT_DIR}/health.csv
    ${hale} =    Planhat Simulator Entity Should Exist    companies    external_id=H-1
    Should Be Equal    ${hale}[custom]    ${{ {"Health": 4, "Segment": "SMB"} }}
    ${result} =    Ensure Entities    companies    ${OUTPUT_DIR}/health.csv
    Should Be Equal As Integers    ${result}[unchanged]    1

A Custom Value That Does Not Fit Fails Before Sending
    Create File    ${OUTPUT_DIR}/bad-health.csv    externalId,name,custom.Health\nB-1,Good,3\nB-2,Bad,high\n
    Run Keyword And Expect Error    *item 1: custom.Health: 'high' is not a number*
    ...    Bulk Upsert Entities    companies    ${OUTPUT_DIR}/bad-health.csv
    Run Keyword And Expect Error    *custom.Segment must be one of SMB, Enterprise, got 'Huge'*
    ...    Ensure Entities    companies    [{"externalId": "S-1", "name": "S", "custom": {"Segment": "Huge"}}]
    Run Keyword And Expect Error
    ...    *custom.Helth is not a custom field of Company in this tenant (did you mean custom.Health?)*
    ...    Bulk Upsert Entities
    ...    companies
    ...    [{"externalId": "T-1", "name": "T", "custom": {"Helth": 3}}]
    Planhat Simulator Request Count Should Be    0    PUT
    Planhat Simulator Request Count Should Be    0    POST

Single Writes Read And Check Custom Fields Too
    ${made} =    Create Entity    companies    name=Typed    externalId=TY-1    custom.Health=4
    Should Be Equal    ${made}[custom][Health]    ${4}
    Run Keyword And Expect Error    Company data: custom.Health: 'ok' is not a number. Nothing was sent.
    ...    Update Entity    companies    external_id=TY-1    custom.Health=ok
    Seed Planhat Simulator
    ...    customfields
    ...    [{"parent": "EndUser", "name": "Tier", "type": "text", "isMandatory": true}]
    Authorize Planhat    validate=${False}    # read the custom fields again
    Run Keyword And Expect Error    EndUser data: custom field(s) Tier are mandatory for a new EndUser*
    ...    Create Entity    endusers    email=ann@x.test    custom={"Tier": ""}
    Run Keyword And Expect Error    EndUser data: custom field(s) Tier are mandatory for a new EndUser*
    ...    Create Entity    endusers    email=ann@x.test

A Misspelt Standard Field Of A Write Fails Unless Told Otherwise
    Seed Planhat Simulator    companies    [{"_id": "c1", "name": "C"}]
    Run Keyword And Expect Error    Project data: nmae is not a field of Project (did you mean name?)*
    ...    Create Entity    projects    nmae=Rollout    companyId=c1
    ${project} =    Create Entity    projects    name=Rollout    companyId=c1    color=blue    check_fields=${False}
    Should Be Equal    ${project}[color]    blue

Checks Leave Real Data Alone And Can Be Turned Off
    Seed Planhat Simulator    companies    [{"_id": "c2", "name": "C2"}]
    Create Entity    assets    name=Router    companyId=c2    externalId=R-1
    Export Entities    assets    path=${OUTPUT_DIR}/assets.json
    ${again} =    Bulk Upsert Entities    assets    ${OUTPUT_DIR}/assets.json    # generated fields come back too
    Should Be Equal As Integers    ${again}[failed]    0
    @{rows} =    Query Entities    assets where updatedAt > "2020-01-01" and externalId is "R-1"
    Length Should Be    ${rows}    1
    @{none} =    Query Entities    companies where lastActive > "2020-01-01"    # Company's page was read in part
    Should Be Empty    ${none}
    ${loose} =    Create Entity    companies    name=Loose    custom.Health=high    check_fields=${False}
    Should Be Equal    ${loose}[custom][Health]    high
    Bulk Upsert Entities    companies    [{"externalId": "D-1", "name": "Dotted", "custom.Health": "7"}]
    ${dotted} =    Planhat Simulator Entity Should Exist    companies    external_id=D-1
    Should Be Equal    ${dotted}[custom]    ${{ {"Health": 7} }}
    Run Keyword And Expect Error    *custom must be an object of custom fields, got str*
    ...    Bulk Upsert Entities    companies    [{"externalId": "S-2", "name": "S", "custom": "Health=3"}]

An Unknown Field Is Sent And Warned About Once
    ${made} =    Create Entity    companies    name=Loyal    loyaltyTier=gold
    Should Be Equal    ${made}[loyaltyTier]    gold
    Create Entity    companies    name=Loyal 2    loyaltyTier=silver
    Run Keyword And Expect Error    *phse is not a field of Company (did you mean phase?)*
    ...    Create Entity    companies    name=Typo    phse=live
    Run Keyword And Expect Error    *Health is not a field of Company (did you mean custom.Health?)*
    ...    Create Entity    companies    name=Typo    Health=3

What Planhat Returns Can Be Written Back
    Seed Planhat Simulator    companies    [{"_id": "c9", "name": "C9"}]
    Create Entity    projects    name=Rollout    companyId=c9    externalId=P-1
    ${project} =    Get Entity    projects    external_id=P-1
    Should Be Equal    ${project}[__v]    ${0}
    ${updated} =    Update Entity    projects    ${project}[_id]    ${project}
    ${outcome} =    Ensure Entity    projects    ${updated}    identifying_keys=_id
    Should Be Equal    ${outcome}[action]    unchanged
    Export Entities    projects    path=${OUTPUT_DIR}/projects.jsonl
    ${again} =    Bulk Upsert Entities    projects    ${OUTPUT_DIR}/projects.jsonl
    Should Be Equal As Integers    ${again}[failed]    0

Search Finds Objects Holding Every Term
    Seed Planhat Simulator    companies
    ...    [{"name": "Acme Corp", "externalId": "A-1"}, {"name": "Acme Labs"}, {"name": "Corp Inc"}]
    @{found} =    Search Entities    companies    acme    CORP
    Length Should Be    ${found}    1
    Should Be Equal    ${found}[0][name]    Acme Corp
    @{gets} =    Get Planhat Simulator Requests    GET    /companies
    Should Contain    ${gets}[-1][query]    select\=name


*** Keywords ***
Seed Custom Fields
    [Documentation]    A tenant whose companies have two custom fields, and a fresh request log.
    Reset Planhat Simulator
    Seed Planhat Simulator    customfields    [{"parent": "Company", "name": "Health", "type": "number"}]
    Seed Planhat Simulator    customfields
    ...    [{"parent": "Company", "name": "Segment", "type": "list", "listValues": ["SMB", "Enterprise"]}]
    Authorize Planhat    validate=${False}
