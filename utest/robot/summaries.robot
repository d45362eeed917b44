*** Settings ***
Documentation     Bulk, Ensure and Query summaries as HTML tables in log.html
...               (utest/keywords/test_report.py reads the output).

Library           PlanhatLibrary
Library           PlanhatLibrary.Simulator

Suite Setup       Start Planhat Simulator    secrets_file=${OUTPUT_DIR}/secrets.json
Suite Teardown    Stop All Planhat Simulators


*** Test Cases ***
Summaries Of A Load, An Ensure And A Query
    Authorize Planhat
    ${items} =    Evaluate    [{"name": f"C{i}", "externalId": f"E{i}", "mrr": i} for i in range(5)]
    Append To List    ${items}    ${{ {"name": "<script>alert(1)</script>", "_id": "0123456789abcdef01234567"} }}
    Bulk Upsert Entities    companies    ${items}    on_error=continue
    ${changed} =    Evaluate    [{"name": f"C{i}", "externalId": f"E{i}", "mrr": i + (i % 2)} for i in range(5)]
    Ensure Entities    companies    ${changed}
    Query Entities    select name, mrr from companies where mrr > 1


*** Keywords ***
Append To List
    [Documentation]    Collections' keyword, without importing Collections into this small suite.
    [Arguments]    ${items}    ${item}
    Evaluate    $items.append($item)
