*** Settings ***
Documentation    An RPA robot as it would run in production: it reads credentials from the Vault secret
...              ``planhat_api`` and knows nothing about the simulator the demo points it at.

Library          PlanhatLibrary    requests_per_minute=600

Suite Setup      Authorize Planhat


*** Variables ***
${COMPANIES_CSV}    ${CURDIR}/data/companies.csv
${AT_RISK}          5


*** Tasks ***
Sync Companies From The CRM Export
    [Documentation]    Create the missing companies, update what changed, leave the rest alone.
    ${result} =    Ensure Entities    companies    ${COMPANIES_CSV}
    Log    Created ${result}[created], updated ${result}[updated], unchanged ${result}[unchanged]    console=True
    ${again} =    Ensure Entities    companies    ${COMPANIES_CSV}
    Log    A second run changes nothing: ${again}[unchanged] unchanged, ${again}[writes] writes    console=True

List At-Risk Companies
    [Documentation]    Live companies whose health (the CRM's, in the custom field Health) is low, biggest first.
    @{companies} =    Query Entities
    ...    select name, mrr, custom.Health from companies
    ...    where phase is "live" and custom.Health < ${AT_RISK} order by mrr desc
    FOR    ${company}    IN    @{companies}
        Log    At risk: ${company}[name] (health ${company}[custom][Health], mrr ${company}[mrr])    console=True
    END

Log Product Activities In Bulk
    [Documentation]    Send a day of login activities for the known end users.
    @{users} =    Get Entities    endusers    select=email
    ${activities} =    Evaluate    [{"email": user["email"], "action": "Logged in", "weight": 1} for user in $users]
    ${sent} =    Create Bulk Activities    ${activities}
    Log    Sent ${sent}[landed] of ${sent}[total] activities in ${sent}[requests] request(s)    console=True
