*** Settings ***
Documentation     What the server may answer that it should not: HTML or broken JSON with 200, empty bodies,
...               and a huge limit. Each gives a specific failure, or the right result.

Resource          ../resources/planhat.resource

Suite Setup       Start Simulator And Authorize
Suite Teardown    Stop All Planhat Simulators
Test Setup        Reset Planhat Simulator


*** Test Cases ***
HTML With Status 200
    Inject Planhat Simulator Fault    200    GET    /companies    body=<html><body>Maintenance</body></html>
    Run Keyword And Expect Error    GET /companies answered 200 with a body that is not JSON (text/plain*Maintenance*
    ...    Get Entities    companies

Broken JSON With Status 200
    Inject Planhat Simulator Fault    200    GET    /companies/*    body={"name": "Acme"
    Run Keyword And Expect Error    GET /companies/extid-A answered 200 with a body that is not JSON*
    ...    Get Entity    companies    external_id=A

Empty Body Where An Object Is Expected
    Inject Planhat Simulator Fault    200    GET    /companies/*    body=${EMPTY}
    Run Keyword And Expect Error    GET /companies/extid-A answered with NoneType where a JSON object was expected.
    ...    Get Entity    companies    external_id=A

Empty Body On Delete Is Fine
    Seed Planhat Simulator    companies    [{"name": "A", "externalId": "A"}]
    Inject Planhat Simulator Fault    204    DELETE    /companies/*    body=${EMPTY}
    ${answer} =    Delete Entity    companies    external_id=A
    Should Be Equal    ${answer}    ${None}

A List Answer That Is Not An Array
    Inject Planhat Simulator Fault    200    GET    /companies    body={"data": []}
    Run Keyword And Expect Error    GET /companies answered with dict, expected a JSON array of objects.
    ...    Get Entities    companies

A Huge Limit Just Pages Until The End
    Seed Planhat Simulator    companies    [{"name": "A"}, {"name": "B"}]
    @{companies} =    Get Entities    companies    limit=999999999999
    Length Should Be    ${companies}    2
    Planhat Simulator Request Count Should Be    1    GET    /companies
