*** Settings ***
Documentation    Exercised by utest/integration/test_secrets_in_output.py against a server that echoes the Authorization
...              header and the request body into its answers. No output or written file may show a secret.

Library          PlanhatLibrary    max_retries=1    retry_budget=5

Test Teardown    Run Keyword And Ignore Error    Get Entities    companies


*** Variables ***
${KEY: Secret}       %{PROBE_KEY}
${TENANT: Secret}    %{PROBE_TENANT}


*** Test Cases ***
Echoed Secrets Are Masked In Messages, Results And Files
    Authorize Planhat    ${KEY}    ${TENANT}    api_url=%{STUB_URL}    analytics_url=%{STUB_URL}
    ${companies} =    Get Entities    companies
    Log    ${companies}
    Run Keyword And Expect Error    *not found (404)*Bearer ***    Get Entity    companies    external_id=NOPE
    ${error} =    Run Keyword And Expect Error    *    Bulk Upsert Entities    companies
    ...    [{"name": "A", "externalId": "A-1"}]    failed_items_file=${OUTPUT_DIR}/failed.jsonl
    Should Contain    ${error}    Bearer ***
    Run Keyword And Expect Error    *    Create Bulk Activities    [{"email": "a@b.test"}, {"email": "c@d.test"}]
    ...    chunk_size=1    unsent_items_file=${OUTPUT_DIR}/unsent.jsonl
    Run Keyword And Expect Error    *Bearer ****
    ...    Push Metrics    [{"dimensionId": "x", "value": 1, "externalId": "A"}]
    ${answer} =    Send Planhat Request    GET    echo
    Log    ${answer}

A Key Given As Plain Text Is Masked Too
    Authorize Planhat    %{PROBE_KEY}    %{PROBE_TENANT}    api_url=%{STUB_URL}    analytics_url=%{STUB_URL}
    ${answer} =    Send Planhat Request    GET    echo
    Log    ${answer}
