*** Settings ***
Documentation     Nothing is lost: when a load stops, one file holds every item still to send, and one rerun with
...               it finishes the load without duplicates.

Resource          ../resources/planhat.resource

Suite Setup       Start Simulator And Authorize
Suite Teardown    Stop All Planhat Simulators
Test Setup        Reset Planhat Simulator


*** Test Cases ***
Failed Items And Unsent Chunks Share One File That Finishes The Load
    Remove Files    ${OUTPUT_DIR}/todo*.jsonl    # an earlier run's file would give this one the next free name
    ${items} =    Numbered Companies    30
    Inject Planhat Simulator Fault    method=PUT    path=/companies    fail_items=${{ ["E00003"] }}
    Inject Planhat Simulator Fault    503    PUT    /companies    times=${None}
    ${error} =    Run Keyword And Expect Error    *
    ...    Bulk Upsert Entities    companies    ${items}    chunk_size=10    failed_items_file=${OUTPUT_DIR}/todo.jsonl
    Should Contain    ${error}    stopped at chunk 2 of 3
    Should Contain    ${error}    ${OUTPUT_DIR}/todo.jsonl holds every item still to send (1 failed, 20 not sent)
    Clear Planhat Simulator Faults
    ${result} =    Bulk Upsert Entities    companies    ${OUTPUT_DIR}/todo.jsonl
    ...    failed_items_file=${OUTPUT_DIR}/todo-2.jsonl
    Should Be Equal As Integers    ${result}[created]    21
    ${stored} =    Get Planhat Simulator Entities    companies
    Length Should Be    ${stored}    30
    File Should Not Exist    ${OUTPUT_DIR}/todo-2.jsonl

Activities Of A Lost Request Are Kept Apart From Those Never Sent
    Remove Files    ${OUTPUT_DIR}/acts*.jsonl    # an earlier run's file would give this one the next free name
    @{activities} =    Create List
    FOR    ${index}    IN RANGE    25
        Append To List    ${activities}    ${{ {"email": "u${index}@x.test", "action": "Login"} }}
    END
    Inject Planhat Simulator Fault    method=POST    path=/analytics/*    drop_after=${True}    skip=1
    ${error} =    Run Keyword And Expect Error    *
    ...    Create Bulk Activities    ${activities}    chunk_size=10    unsent_items_file=${OUTPUT_DIR}/acts.jsonl
    Should Contain    ${error}    Request 1 landed (10 activities)
    Should Contain    ${error}    ${OUTPUT_DIR}/acts-unconfirmed.jsonl
    Should Contain    ${error}    ${OUTPUT_DIR}/acts.jsonl holds every activity still to send (5 not sent)
    Clear Planhat Simulator Faults
    Create Bulk Activities    ${OUTPUT_DIR}/acts.jsonl    unsent_items_file=${OUTPUT_DIR}/acts-2.jsonl
    # 10 landed first, 10 landed although their answer was lost, 5 sent by the rerun: none twice
    Planhat Simulator Activity Count Should Be    25
