*** Settings ***
Documentation    An RPA robot as it would run in production: it reads credentials from the Vault secret
...              ``planhat_api`` and knows nothing about the simulator the demo points it at.

Library          Collections
Library          PlanhatLibrary    requests_per_minute=600

Suite Setup      Authorize Planhat


*** Variables ***
${COMPANIES_CSV}     ${CURDIR}/data/companies.csv
${AT_RISK_HEALTH}    5


*** Tasks ***
Sync Companies From The CRM Export
    [Documentation]    Create or update every company of the CSV export in one bulk upsert.
    ${result} =    Bulk Upsert Entities    companies    ${COMPANIES_CSV}
    Log    Created ${result}[created], updated ${result}[updated], unchanged ${result}[nonupdates]    console=True

List At-Risk Companies
    [Documentation]    Find live companies with a low health score and log them.
    @{companies} =    Get Entities    companies    select=name, phase, health, mrr    sort=-mrr
    FOR    ${company}    IN    @{companies}
        ${health} =    Get From Dictionary    ${company}    health    default=${10}
        IF    ${health} < ${AT_RISK_HEALTH}
            Log    At risk: ${company}[name] (health ${health}, mrr ${company}[mrr])    console=True
        END
    END

Log Product Activities In Bulk
    [Documentation]    Send a day of login activities for the known end users.
    @{users} =    Get Entities    endusers    select=email
    ${activities} =    Evaluate    [{"email": user["email"], "action": "Logged in", "weight": 1} for user in $users]
    ${sent} =    Create Bulk Activities    ${activities}
    Log    Sent ${sent}[sent] activities in ${sent}[requests] request(s)    console=True
