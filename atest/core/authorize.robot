*** Settings ***
Documentation     Authorize Planhat: Vault secrets, direct Secret keys, regions and clear failures.

Resource          ../resources/planhat.resource

Suite Setup       Start Planhat Simulator    secrets_file=${SECRETS}    read_only_key=${READ_ONLY_KEY}
Suite Teardown    Stop All Planhat Simulators


*** Variables ***
${SECRETS}                  ${OUTPUT_DIR}/authorize-secrets.json
${READ_ONLY_KEY}            atest-read-only-key
${DIRECT_KEY: Secret}       %{PLANHAT_ATEST_KEY=atest-direct-key-31a7}
${DIRECT_TENANT: Secret}    %{PLANHAT_ATEST_TENANT=atest-direct-tenant-5d2e}


*** Test Cases ***
Authorize From The Default Vault Secret
    Authorize Planhat
    ${companies} =    Get Entities    companies
    Should Be Empty    ${companies}

Authorize Validates The Key With One Request
    Clear Planhat Simulator Requests
    Authorize Planhat
    Planhat Simulator Request Count Should Be    1    GET    /companies

Authorize Without Validation Sends Nothing
    Clear Planhat Simulator Requests
    Authorize Planhat    validate=${False}
    Planhat Simulator Request Count Should Be    0

Authorize With A Named Secret
    ${url} =    Get Planhat Simulator URL
    Write Secret    other_secret    api_key=${READ_ONLY_KEY}    api_url=${url}
    Authorize Planhat    vault_secret_name=other_secret
    Run Keyword And Expect Error    *403 Forbidden*read-only*
    ...    Create Entity    companies    {"name": "Nope"}

Authorize With The Whole Secret From Get Secret
    ${url} =    Get Planhat Simulator URL
    Write Secret    whole    api_key=${READ_ONLY_KEY}    api_url=${url}
    Import Library    RPA.Robocorp.Vault    # after the suite set-up pointed the Vault at the secrets file
    ${secret} =    Get Secret    whole
    Authorize Planhat    secret=${secret}
    Run Keyword And Expect Error    *403 Forbidden*read-only*
    ...    Create Entity    companies    {"name": "Nope"}
    Authorize Planhat    ${secret}    # given where the key goes, the whole secret is read the same way
    Run Keyword And Expect Error    *403 Forbidden*read-only*
    ...    Create Entity    companies    {"name": "Nope"}
    Run Keyword And Expect Error    Give either api_key or secret to Authorize Planhat, not both.
    ...    Authorize Planhat    some-key    secret=${secret}
    [Teardown]    Authorize Planhat

A Secret That Is Not A Mapping Fails Without Showing It
    ${error} =    Run Keyword And Expect Error    secret must be a secret from Get Secret*got str*
    ...    Authorize Planhat    secret=not-a-mapping-7f2c
    Should Not Contain    ${error}    not-a-mapping-7f2c

Missing Vault Secret Fails Clearly
    Run Keyword And Expect Error
    ...    Could not read Vault secret 'no_such_secret'*RPA_SECRET_FILE*
    ...    Authorize Planhat    vault_secret_name=no_such_secret

Vault Secret Without Api Key Names The Keys It Found
    Write Secret    broken    apikey=typo    tenant_uuid=abc
    Run Keyword And Expect Error
    ...    Vault secret 'broken' has no 'api_key' (keys found: apikey, tenant_uuid)*
    ...    Authorize Planhat    vault_secret_name=broken

Wrong Key Fails At Authorize With A Hint
    ${url} =    Get Planhat Simulator URL
    Write Secret    wrong    api_key=not-the-key    api_url=${url}
    Run Keyword And Expect Error
    ...    Authorize Planhat failed: Planhat rejected the API key (401 Unauthorized)*rotated*api-eu.planhat.com*
    ...    Authorize Planhat    vault_secret_name=wrong

Plain Text Key Is Accepted And Never Shown
    [Documentation]    Robot's own conversion error would print the key: the library takes text and keeps it hidden.
    ${url} =    Get Planhat Simulator URL
    ${error} =    Run Keyword And Expect Error    Authorize Planhat failed*401 Unauthorized*
    ...    Authorize Planhat    plain-text-key-9d1e    api_url=${url}
    Should Not Contain    ${error}    plain-text-key-9d1e
    ${key} =    Evaluate    json.loads(pathlib.Path($SECRETS).read_text())["planhat_api"]["api_key"]
    Authorize Planhat    ${key}    api_url=${url}
    Get Entities    companies    limit=1
    [Teardown]    Authorize Planhat

A Key Of The Wrong Type Fails Without Showing It
    ${error} =    Run Keyword And Expect Error    api_key must be a Secret or text, got int*
    ...    Authorize Planhat    ${4242424242}
    Should Not Contain    ${error}    4242424242

Bad Region Fails Before Any Request
    Run Keyword And Expect Error    Region must look like 'eu'*    Authorize Planhat    region=evil.example/x

Authorize With A Secret Key And Tenant Given Directly
    [Tags]    require-rf-7.4    # uses robot.api.types.Secret
    Skip Unless Robot Has Secret
    ${url} =    Start Planhat Simulator    ${DIRECT_KEY}    ${DIRECT_TENANT}    alias=direct
    Authorize Planhat    ${DIRECT_KEY}    ${DIRECT_TENANT}    api_url=${url}    analytics_url=${url}
    Create Entity    companies    {"name": "Direct"}
    ${found} =    Get Planhat Simulator Entities    companies    {"name": "Direct"}    alias=direct
    Length Should Be    ${found}    1
    [Teardown]    Stop Planhat Simulator    direct

Keywords Before Authorize Fail Clearly
    [Documentation]    Runs last: the second library instance stays imported.
    Import Library    PlanhatLibrary    AS    Fresh
    Run Keyword And Expect Error    Not authorized to Planhat: call Authorize Planhat first*
    ...    Fresh.Get Entities    companies


*** Keywords ***
Write Secret
    [Documentation]    Add a secret to the simulator's FileSecrets file.
    [Arguments]    ${name}    &{values}
    ${text} =    Get File    ${SECRETS}
    ${data} =    Evaluate    json.loads($text)
    Set To Dictionary    ${data}    ${name}=${values}
    ${text} =    Evaluate    json.dumps($data)
    Create File    ${SECRETS}    ${text}
