*** Settings ***
Documentation     Query Entities and Export Entities: expressions, push-down, paging, bad expressions.

Resource          ../resources/planhat.resource

Suite Setup       Set Up Companies
Suite Teardown    Stop All Planhat Simulators
Test Setup        Clear Planhat Simulator Requests


*** Test Cases ***
Select, Filter, Order And Limit
    ${expression} =    Catenate    select name, mrr from companies
    ...    where phase in ("live", "onboarding") and mrr > 1000 order by mrr desc limit 3
    @{rows} =    Query Entities    ${expression}
    ${names} =    Evaluate    [row["name"] for row in $rows]
    Should Be Equal    ${names}    ${{ ["C5998", "C5997", "C5995"] }}
    Should Be Equal    ${rows}[0]    ${{ {"_id": $rows[0]["_id"], "name": "C5998", "mrr": 5998} }}
    @{gets} =    Get Planhat Simulator Requests    GET    /companies
    Should Contain    ${gets}[0][query]    select=_id%2Cmrr%2Cname%2Cphase
    Should Contain    ${gets}[0][query]    sort=-mrr

Paging Stops As Soon As The Limit Is Reached
    @{rows} =    Query Entities    companies where phase is "live" limit 10
    Length Should Be    ${rows}    10
    Planhat Simulator Request Count Should Be    1    GET    /companies

Everything Is Read When There Is No Limit
    @{rows} =    Query Entities    select name from companies where custom.Segment is "SMB"
    Length Should Be    ${rows}    2000
    # 5,000 + 1,000 rows, then one more page: a short page of 1,000 could be a silent cap, not the end
    Planhat Simulator Request Count Should Be    3    GET    /companies

Quoted Keywords Stay Text
    Seed Planhat Simulator    companies    [{"name": "speed limit 50", "phase": "x"}]
    @{rows} =    Query Entities    companies where name is "speed limit 50"
    Length Should Be    ${rows}    1

Company Filters Are Pushed Down
    Seed Planhat Simulator
    ...    endusers
    ...    [{"email": "a@x.test", "companyId": "c1"}, {"email": "b@x.test", "companyId": "c2"}]
    @{rows} =    Query Entities    endusers where companyId in ("c1") and email like "%@x.test"
    Length Should Be    ${rows}    1
    @{gets} =    Get Planhat Simulator Requests    GET    /endusers
    Should Contain    ${gets}[0][query]    companyId=c1

Export To JSON Lines And CSV
    ${count} =    Export Entities    select name, mrr, custom.Segment from companies where mrr < 10
    ...    path=${OUTPUT_DIR}/small.csv
    Should Be Equal As Integers    ${count}    10
    ${csv} =    Get File    ${OUTPUT_DIR}/small.csv
    ${rows} =    Evaluate    [line.split(",", 1)[1] for line in $csv.splitlines()[:3]]
    Should Be Equal    ${rows}    ${{ ["name,mrr:number,custom.Segment", "C0000,0,SMB", "C0001,1,Enterprise"] }}
    ${count} =    Export Entities    companies where phase is "live"    path=${OUTPUT_DIR}/live.jsonl
    Should Be Equal As Integers    ${count}    2000
    ${lines} =    Get File    ${OUTPUT_DIR}/live.jsonl
    ${first} =    Evaluate    json.loads($lines.splitlines()[0])    modules=json
    Should Be Equal    ${first}[phase]    live

An Export Read Back Into Ensure Entities Changes Nothing
    [Documentation]    CSV headers carry the column types (mrr:number), so a round trip keeps numbers numbers.
    Export Entities    select name, phase, mrr, custom from companies where mrr < 50
    ...    path=${OUTPUT_DIR}/round-trip.csv
    ${result} =    Ensure Entities    companies    ${OUTPUT_DIR}/round-trip.csv    identifying_keys=_id
    Should Be Equal As Integers    ${result}[unchanged]    50
    Should Be Equal As Integers    ${result}[writes]    0
    Export Entities    companies where mrr < 5    path=${OUTPUT_DIR}/round-trip.json
    ${again} =    Ensure Entities    companies    ${OUTPUT_DIR}/round-trip.json    identifying_keys=_id
    Should Be Equal As Integers    ${again}[writes]    0

A Long Expression Continues Over Several Lines
    @{rows} =    Query Entities    select name, mrr from companies
    ...    where phase in ("live", "onboarding") and mrr > 1000
    ...    order by mrr desc limit 3
    ${names} =    Evaluate    [row["name"] for row in $rows]
    Should Be Equal    ${names}    ${{ ["C5998", "C5997", "C5995"] }}
    ${count} =    Export Entities    select name from companies
    ...    where mrr < 3    path=${OUTPUT_DIR}/three.jsonl
    Should Be Equal As Integers    ${count}    3

Count Entities Fetches Only What The Condition Needs
    ${live} =    Count Entities    companies where phase is "live"
    Should Be Equal As Integers    ${live}    2000
    @{gets} =    Get Planhat Simulator Requests    GET    /companies
    Should Contain    ${gets}[0][query]    select=_id%2Cphase
    ${small} =    Count Entities    companies    where mrr < 10
    Should Be Equal As Integers    ${small}    10

Query Results As A Table
    ${table} =    Query Entities    select name, mrr from companies where mrr < 3 order by mrr    as_table=${True}
    Should Be Equal As Integers    ${{ len($table) }}    3
    Should Be Equal    ${table.columns}    ${{ ["_id", "name", "mrr"] }}

Malformed Expressions Fail With A Caret
    ${error} =    Run Keyword And Expect Error    *
    ...    Query Entities    companies where mrr >
    Should Start With    ${error}    Invalid query at column 22: expected a value after '>'
    Should Contain    ${error}    \n${SPACE*4}companies where mrr >\n${SPACE*25}^
    Run Keyword And Expect Error    Invalid query at column 21: expected an operator*
    ...    Query Entities    companies where mrr equals 5
    Run Keyword And Expect Error    Invalid query at column 1: Unknown Planhat model 'compnies'*
    ...    Query Entities    compnies
    Planhat Simulator Request Count Should Be    0

Type Mismatched Comparison Fails Clearly
    Run Keyword And Expect Error    *cannot compare name (text 'C0000') with number 5 using '>'*
    ...    Query Entities    companies where name > 5

Unknown Export Format Fails Before Any Request
    Run Keyword And Expect Error    Export format must be jsonl, json or csv*
    ...    Export Entities    companies    path=${OUTPUT_DIR}/out.xlsx
    Planhat Simulator Request Count Should Be    0


*** Keywords ***
Set Up Companies
    [Documentation]    6000 companies: mrr = i, phase cycles live/onboarding/churned, segment SMB for a third.
    Start Simulator And Authorize
    ${companies} =    Query Companies    6000
    Seed Planhat Simulator    companies    ${companies}
