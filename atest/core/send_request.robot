*** Settings ***
Documentation     Send Planhat Request: any path, same auth, retries and errors.

Resource          ../resources/planhat.resource

Suite Setup       Start Simulator And Authorize
Suite Teardown    Stop All Planhat Simulators


*** Test Cases ***
Get A Path No Other Keyword Covers
    Seed Planhat Simulator    companies    [{"name": "Acme", "externalId": "A", "status": "prospect"}]
    @{lean} =    Send Planhat Request    GET    leancompanies    params={"externalId": "A"}
    Should Be Equal    ${lean}[0][name]    Acme

Post JSON Text
    ${created} =    Send Planhat Request    POST    /companies    json={"name": "Posted"}
    Should Be Equal    ${created}[name]    Posted

Errors Are The Same As Elsewhere
    Run Keyword And Expect Error    POST /tickets failed: not found (404)*
    ...    Send Planhat Request    POST    tickets    json={"companyId": "x"}

Full URLs Are Refused So The Key Stays Home
    Run Keyword And Expect Error    Path must be relative to the API base URL*
    ...    Send Planhat Request    GET    https://example.com/companies

Unknown Method Is Refused
    Run Keyword And Expect Error    Method must be one of GET, POST, PUT, PATCH, DELETE, got 'FETCH'.
    ...    Send Planhat Request    FETCH    companies

Invalid JSON Is Refused Before Sending
    Run Keyword And Expect Error    json is not valid JSON*
    ...    Send Planhat Request    POST    companies    json={"name":
