*** Settings ***
Documentation     Bad-input matrix: each bad input gets its own clear failure, and no request is sent.
...               Then the server's bad answers: HTML or broken JSON with 200, empty bodies.

Resource          ../resources/planhat.resource

Suite Setup       Start Simulator And Authorize
Suite Teardown    Stop All Planhat Simulators
Test Setup        Reset Planhat Simulator
Test Template     Fails Before Any Request


*** Variables ***
${DATA}    ${CURDIR}/../bulk/data


*** Test Cases ***    KEYWORD AND ARGUMENTS    EXPECTED ERROR
Unknown model
    Unknown Planhat model 'compnies'. Did you mean 'Company'?*    Get Entities    compnies
Empty id
    id must not be empty*    Get Entity    companies    ${EMPTY}
Whitespace id
    external_id must not be empty*    Get Entity    companies    external_id=${SPACE*3}
Id with slash stays one segment
    Company external_id\='a/b' not found (404)*    Get Entity    companies    external_id=a/b    requests=1
Id with question mark stays one segment
    Company 'x?limit\=1' not found (404)*    Get Entity    companies    x?limit\=1    requests=1
Non-dict payload
    Company data must be a dictionary, got int*    Create Entity    companies    ${{ 42 }}
List where a dict is expected
    Company data must be a dictionary, got list*    Create Entity    companies    ${{ [{"name": "A"}] }}
Invalid JSON payload
    Company data is not valid JSON*    Create Entity    companies    {"name": }
Non-JSON file
    *line 2 is not valid JSON*    Bulk Upsert Entities    companies    ${DATA}/broken.jsonl
CSV with a bad row
    *line 3 has 1 values but the header has 3*    Bulk Upsert Entities    companies    ${DATA}/bad_row.csv
Unknown file type
    *unknown file type*    Bulk Upsert Entities    companies    ${DATA}/../../resources/planhat.resource
Chunk size over 5000
    *whole number between 1 and 5000*    Bulk Upsert Entities    companies    [{"name": "A"}]    chunk_size=5001
Chunk size zero
    *whole number between 1 and 5000*    Bulk Upsert Entities    companies    [{"name": "A"}]    chunk_size=0
Negative limit
    limit must be 0 or more, got -1.    Get Entities    companies    limit=-1
Malformed query expression
    Invalid query at column 22: expected a value after '>'*    Query Entities    companies where mrr >
Unknown query operator
    Invalid query at column 21: expected an operator*    Query Entities    companies where mrr equals 5
Unknown method
    Method must be one of GET, POST, PUT, PATCH, DELETE, got 'FETCH'.    Send Planhat Request    FETCH    companies
Absolute URL as path
    Path must be relative to the API base URL*    Send Planhat Request    GET    http://127.0.0.2/companies
Missing identifying key
    Identifying key(s) externalId not in the Company data*
    ...    Ensure Entity    companies    {"name": "A"}    identifying_keys=externalId
Activity without user
    *needs an email or one of externalId, id, euExtId*    Create Activity    action=Login
Metric without dimension id
    *dimensionId must be specified*    Push Metrics    [{"value": 1, "externalId": "A"}]
NaN in the last line of a file
    *nothing was sent: item 1: cannot be sent as JSON*    Bulk Upsert Entities    companies    ${CURDIR}/data/nan.jsonl
Infinity in a CSV number column
    *item 1: cannot be sent as JSON*    Bulk Upsert Entities    companies    ${CURDIR}/data/infinity.csv
NaN in a metric
    *item 0: cannot be sent as JSON*
    ...    Push Metrics    ${{ [{"dimensionId": "x", "value": float("nan"), "externalId": "A"}] }}
Failed items file is the input
    *is the input file itself*    Bulk Upsert Entities    companies    ${CURDIR}/data/nan.jsonl
    ...    failed_items_file=${CURDIR}/data/nan.jsonl
Dot as an id
    id '.' is not an id*    Get Entity    companies    .
Dot dot in an update
    id '..' is not an id*    Update Entity    companies    ..    {"name": "A"}
Dot segments in a request path
    Path 'companies/../_simulator/reset' holds a '.' or '..' segment*
    ...    Send Planhat Request    POST    companies/../_simulator/reset
URL with user info
    api_url must not contain user info (user:password@), got 'http://***@127.0.0.1:1'*
    ...    Authorize Planhat    api_url=http://me:hunter2@127.0.0.1:1
Port out of range
    analytics_url must be an http(s) URL*valid host and port*
    ...    Authorize Planhat    analytics_url=http://127.0.0.1:99999


*** Keywords ***
Fails Before Any Request
    [Documentation]    Run a keyword, expect its error, and check how many requests reached the simulator.
    [Arguments]    ${expected}    ${keyword}    @{arguments}    ${requests}=0    &{named}
    Run Keyword And Expect Error    ${expected}    ${keyword}    @{arguments}    &{named}
    Planhat Simulator Request Count Should Be    ${requests}
