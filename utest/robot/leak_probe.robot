*** Settings ***
Documentation     Exercised by utest/integration/test_secrets_in_output.py: known secrets go in,
...               output files must not show them.

Library           PlanhatLibrary    max_retries=1    retry_budget=5
Library           PlanhatLibrary.Simulator

Suite Setup       Start Planhat Simulator    ${KEY}    ${TENANT}    secrets_file=${OUTPUT_DIR}/secrets.json
Suite Teardown    Stop All Planhat Simulators


*** Variables ***
${KEY: Secret}       %{PROBE_KEY}
${TENANT: Secret}    %{PROBE_TENANT}


*** Test Cases ***
Authorize From The Vault And Work
    Authorize Planhat
    Create Entity    companies    {"name": "Probe", "externalId": "PROBE"}
    Get Entities    companies
    Run Keyword And Expect Error    *not found (404)*    Get Entity    companies    external_id=NOPE
    Bulk Upsert Entities    companies    [{"name": "Bulk", "externalId": "BULK"}]
    Create Activity    ann@probe.test    action=Login
    Create Bulk Activities    [{"email": "ann@probe.test", "action": "Login"}]
    Push Metrics    [{"dimensionId": "logins", "value": 1, "externalId": "PROBE"}]
    Inject Planhat Simulator Fault    400    POST    /analytics/*    body=rejected
    Run Keyword And Expect Error    *400 Bad Request*    Create Activity    ann@probe.test    action=Login

Authorize With Secret Arguments
    ${url} =    Get Planhat Simulator URL
    Authorize Planhat    ${KEY}    ${TENANT}    api_url=${url}    analytics_url=${url}
    Get Entity    companies    external_id=PROBE

A Rejected Key Fails Without Showing It
    Rotate Planhat Simulator Key
    Get Entities    companies
