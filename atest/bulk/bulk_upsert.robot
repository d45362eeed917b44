*** Settings ***
Documentation     Bulk Upsert Entities: chunking, summed results, partial failures, failed-items files, resume.

Resource          ../resources/planhat.resource
Library           RPA.Tables

Suite Setup       Start Simulator And Authorize
Suite Teardown    Stop All Planhat Simulators
Test Setup        Reset Planhat Simulator


*** Test Cases ***
12001 Companies Go Out In Exactly 3 Requests
    ${items} =    Companies    12001
    ${result} =    Bulk Upsert Entities    companies    ${items}
    Planhat Simulator Request Count Should Be    3    PUT    /companies
    @{puts} =    Get Planhat Simulator Requests    PUT    /companies
    ${sizes} =    Evaluate    [put["items"] for put in $puts]
    Should Be Equal    ${sizes}    ${{ [5000, 5000, 2001] }}
    Should Be Equal As Integers    ${result}[created]    12001
    Should Be Equal As Integers    ${result}[failed]    0
    Length Should Be    ${result}[upserted_ids]    12001
    ${stored} =    Get Planhat Simulator Entities    companies
    Length Should Be    ${stored}    12001

A Second Run Updates And Counts Unchanged Items
    ${items} =    Companies    10
    Bulk Upsert Entities    companies    ${items}
    Set To Dictionary    ${items}[3]    phase=live
    ${result} =    Bulk Upsert Entities    companies    ${items}
    Should Be Equal As Integers    ${result}[updated]    1
    Should Be Equal As Integers    ${result}[unchanged]    9

Two Failed Items Are Named, Saved And Retried
    ${items} =    Companies    20
    Inject Planhat Simulator Fault    method=PUT    path=/companies    fail_items=${{ ["C-00005", "C-00017"] }}
    ${file} =    Set Variable    ${OUTPUT_DIR}/failed-companies.jsonl
    ${error} =    Run Keyword And Expect Error    *
    ...    Bulk Upsert Entities    companies    ${items}    failed_items_file=${file}
    Should Contain    ${error}    2 of 20 item(s) failed (input indexes 5, 17)
    Should Contain    ${error}    Failed items written to ${file}
    ${lines} =    Get File    ${file}
    ${failed} =    Evaluate    [json.loads(line)["externalId"] for line in $lines.splitlines()]    modules=json
    Should Be Equal    ${failed}    ${{ ["C-00005", "C-00017"] }}
    ${retry} =    Bulk Upsert Entities    companies    ${file}
    Should Be Equal As Integers    ${retry}[created]    2
    ${stored} =    Get Planhat Simulator Entities    companies
    Length Should Be    ${stored}    20

On Error Continue Returns The Errors
    ${items} =    Companies    3
    Inject Planhat Simulator Fault    method=PUT    path=/companies    fail_items=${{ ["C-00001"] }}
    ${result} =    Bulk Upsert Entities    companies    ${items}    on_error=continue
    Should Be Equal As Integers    ${result}[failed]    1
    Should Be Equal As Integers    ${result}[errors][0][index]    1
    Should Be Equal    ${result}[errors][0][kind]    create

On Error Stop Fails After The First Chunk With Failures
    ${items} =    Companies    30
    Inject Planhat Simulator Fault    method=PUT    path=/companies    fail_items=${{ ["C-00002"] }}
    Run Keyword And Expect Error
    ...    *Stopped after chunk 1 of 3 (on_error=stop).*holds every item still to send (1 failed, 20 not sent)*
    ...    Bulk Upsert Entities    companies    ${items}    chunk_size=10    on_error=stop
    Planhat Simulator Request Count Should Be    1    PUT    /companies

A Chunk That Cannot Land Stops The Run And Resume Sends The Rest
    ${items} =    Companies    25
    Inject Planhat Simulator Fault    503    PUT    /companies    times=${None}    skip=1
    ${error} =    Run Keyword And Expect Error    *
    ...    Bulk Upsert Entities    companies    ${items}    chunk_size=10
    Should Contain    ${error}    stopped at chunk 2 of 3
    Should Contain    ${error}    Chunk 1 landed (created 10
    Should Contain    ${error}    Chunk 2 did not land
    Should Contain    ${error}    rerun with resume_from=2
    Clear Planhat Simulator Faults
    Clear Planhat Simulator Requests
    ${result} =    Bulk Upsert Entities    companies    ${items}    chunk_size=10    resume_from=2
    Planhat Simulator Request Count Should Be    2    PUT    /companies
    Should Be Equal As Integers    ${result}[created]    15
    Stored Companies Should Be Unique    25

Items From CSV And JSON Lines Files
    ${csv} =    Bulk Upsert Entities    companies    ${CURDIR}/data/companies.csv
    Should Be Equal As Integers    ${csv}[created]    3
    ${jsonl} =    Bulk Upsert Entities    companies    ${CURDIR}/data/companies.jsonl
    Should Be Equal As Integers    ${jsonl}[updated]    1
    Should Be Equal As Integers    ${jsonl}[created]    1
    ${acme} =    Planhat Simulator Entity Should Exist    companies    external_id=ACME-1
    Should Be Equal    ${acme}[custom][Segment]    Strategic

Notes Go In As Conversations Of Type Note
    Seed Planhat Simulator    companies    [{"_id": "c1", "name": "Acme"}]
    ${result} =    Bulk Upsert Entities    notes    [{"companyId": "c1", "externalId": "N-1", "subject": "Hi"}]
    Should Be Equal As Integers    ${result}[created]    1
    ${notes} =    Get Planhat Simulator Entities    notes
    Should Be Equal    ${notes}[0][type]    note

Items From An RPA Tables Table
    ${table} =    Create Table    ${{ [{"name": "T1", "externalId": "T-1"}, {"name": "T2", "externalId": "T-2"}] }}
    ${result} =    Bulk Upsert Entities    companies    ${table}    return_ids=${False}
    Should Be Equal As Integers    ${result}[created]    2
    Should Be Empty    ${result}[upserted_ids]
    Planhat Simulator Entity Should Exist    companies    external_id=T-2

A Table Read From CSV Keeps The Typed Headers Of The CSV
    Create File    ${OUTPUT_DIR}/typed.csv    externalId,name,mrr:number,seats:int\nTT-1,Typed,1200.5,3\nTT-2,Blank,,\n
    ${table} =    Read Table From CSV    ${OUTPUT_DIR}/typed.csv    header=${True}
    Bulk Upsert Entities    companies    ${table}
    ${typed} =    Planhat Simulator Entity Should Exist    companies    external_id=TT-1
    Should Be Equal    ${typed}[mrr]    ${1200.5}
    Should Be Equal    ${typed}[seats]    ${3}
    Dictionary Should Not Contain Key    ${typed}    mrr:number
    ${blank} =    Planhat Simulator Entity Should Exist    companies    external_id=TT-2
    Dictionary Should Not Contain Key    ${blank}    mrr
    ${again} =    Ensure Entities    companies    ${table}
    Should Be Equal As Integers    ${again}[unchanged]    2

Invalid Items Fail Before Anything Is Sent
    ${items} =    Evaluate
    ...    [{"name": "A", "externalId": "X"}, {"phase": "live"}, "oops", {"name": "B", "externalId": "X"}]
    ${error} =    Run Keyword And Expect Error    *    Bulk Upsert Entities    companies    ${items}
    Should Contain    ${error}    3 of 4 Company item(s) are invalid, nothing was sent
    Should Contain    ${error}    item 1: no identifying key (_id, sourceId, externalId) and missing required name
    Should Contain    ${error}    item 2: not a dictionary (str)
    Should Contain    ${error}    item 3: externalId 'X' duplicates item 0
    Planhat Simulator Request Count Should Be    0

Bad Options And Inputs Fail Before Anything Is Sent
    Run Keyword And Expect Error    chunk_size must be a whole number between 1 and 5000*
    ...    Bulk Upsert Entities    companies    [{"name": "A"}]    chunk_size=5001
    Run Keyword And Expect Error    *on_error*
    ...    Bulk Upsert Entities    companies    [{"name": "A"}]    on_error=explode
    Run Keyword And Expect Error    CustomField does not support bulk*
    ...    Bulk Upsert Entities    customfields    [{"name": "A"}]
    Run Keyword And Expect Error    Cannot read items: no such file*
    ...    Bulk Upsert Entities    companies    ${CURDIR}/data/missing.csv
    Run Keyword And Expect Error    *line 2 is not valid JSON*
    ...    Bulk Upsert Entities    companies    ${CURDIR}/data/broken.jsonl
    Run Keyword And Expect Error    *line 3 has 1 values but the header has 3*
    ...    Bulk Upsert Entities    companies    ${CURDIR}/data/bad_row.csv
    Run Keyword And Expect Error    resume_from=4 but the input has only 1 chunk(s).
    ...    Bulk Upsert Entities    companies    [{"name": "A"}]    resume_from=4
    Planhat Simulator Request Count Should Be    0

Parallel Chunks Land Every Item Once And A Rerun Changes Nothing
    [Setup]    Set Planhat Simulator Latency    0ms    0.05ms
    ${items} =    Companies    1200
    ${result} =    Bulk Upsert Entities    companies    ${items}    chunk_size=100    parallel=4
    Should Be Equal As Integers    ${result}[created]    1200
    Should Be Equal As Integers    ${result}[chunks_landed]    12
    Planhat Simulator Request Count Should Be    12    PUT    /companies
    ${again} =    Bulk Upsert Entities    companies    ${items}    chunk_size=100    parallel=4
    Should Be Equal As Integers    ${again}[unchanged]    1200
    ${stored} =    Get Planhat Simulator Entities    companies
    Length Should Be    ${stored}    1200
    [Teardown]    Set Planhat Simulator Latency

A Key Repeated Across Parallel Chunks Fails Before Sending
    ${items} =    Companies    150
    Append To List    ${items}    ${{ {"name": "Again", "externalId": $items[3]["externalId"]} }}
    Run Keyword And Expect Error
    ...    *item 150: externalId * duplicates item 3 (chunks sent in parallel must not share one)*
    ...    Bulk Upsert Entities
    ...    companies
    ...    ${items}
    ...    chunk_size=100
    ...    parallel=2
    Planhat Simulator Request Count Should Be    0    PUT    /companies
    Run Keyword And Expect Error    *parallel must be a whole number between 1 and 8, got 12*
    ...    Bulk Upsert Entities    companies    ${items}    parallel=12

A Chunk Refused Whole Stops The Load And Says Why
    ${users} =    Evaluate    [{"email": f"nobody{i}@nowhere.test", "externalId": f"NC-{i}"} for i in range(30)]
    ${file} =    Set Variable    ${OUTPUT_DIR}/no-company-users.jsonl
    ${error} =    Run Keyword And Expect Error    *
    ...    Bulk Upsert Entities    endusers    ${users}    chunk_size=10    failed_items_file=${file}
    Should Contain    ${error}    stopped after chunk 1 of 3: Planhat refused every item of it for one reason:
    Should Contain    ${error}    could not map to a company
    Planhat Simulator Request Count Should Be    1    PUT    /endusers
    ${left} =    Get File    ${file}
    Length Should Be    ${{ $left.splitlines() }}    30


*** Keywords ***
Stored Companies Should Be Unique
    [Documentation]    Exactly ${count} companies are stored, with no externalId twice.
    [Arguments]    ${count}
    ${stored} =    Get Planhat Simulator Entities    companies
    Length Should Be    ${stored}    ${count}
    ${keys} =    Evaluate    len({company["externalId"] for company in $stored})
    Should Be Equal As Integers    ${keys}    ${count}

Companies
    [Documentation]    Return ${count} company dictionaries with externalIds C-00000, C-00001, ...
    [Arguments]    ${count}
    ${items} =    Evaluate    [{"name": f"Company {i}", "externalId": f"C-{i:05}"} for i in range(int($count))]
    RETURN    ${items}
