*** Settings ***
Documentation     Describe Model and the field check of queries: a typo fails before any page is fetched.

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

The Check Can Be Turned Off
    @{rows} =    Query Entities    companies where nickname is "x"    check_fields=${False}
    Should Be Empty    ${rows}


*** Keywords ***
Seed Custom Fields
    [Documentation]    A tenant whose companies have two custom fields, and a fresh request log.
    Reset Planhat Simulator
    Seed Planhat Simulator    customfields    [{"parent": "Company", "name": "Health", "type": "number"}]
    Seed Planhat Simulator    customfields
    ...    [{"parent": "Company", "name": "Segment", "type": "list", "listValues": ["SMB", "Enterprise"]}]
    Authorize Planhat    validate=${False}
