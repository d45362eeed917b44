*** Settings ***
Documentation    Run by utest/integration/test_concurrency.py with pabot (--testlevelsplit, 4 processes) against one
...              rate-limited simulator: each test is one worker that owns a range of companies.

Library          PlanhatLibrary    max_retries=10    retry_budget=120

Test Setup       Authorize Planhat    validate=${False}


*** Test Cases ***
Worker 1
    Work On Range    W1

Worker 2
    Work On Range    W2

Worker 3
    Work On Range    W3

Worker 4
    Work On Range    W4


*** Keywords ***
Work On Range
    [Documentation]    Ensure 500 companies, update 10 of them one by one, then check them with a query.
    [Arguments]    ${prefix}
    ${items} =    Evaluate
    ...    [{"name": f"${prefix} {i}", "externalId": f"${prefix}-{i:04}", "mrr": i} for i in range(500)]
    Ensure Entities    companies    ${items}
    FOR    ${i}    IN RANGE    10
        Ensure Entity    companies    {"externalId": "${prefix}-000${i}", "mrr": 1000}
    END
    @{mine} =    Query Entities    select externalId from companies where externalId like "${prefix}-%"
    Length Should Be    ${mine}    500
    @{changed} =    Query Entities    companies where externalId like "${prefix}-%" and mrr = 1000
    Length Should Be    ${changed}    10
