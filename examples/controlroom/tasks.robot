*** Settings ***
Documentation    Planhat company sync as a Control Room process.
...
...              Small loads: "Sync Companies From CSV" ensures the whole file in one step.
...              Big loads: "Split CSV Into Work Items" (the producer step) cuts the CSV into parts and
...              puts one work item per part in the queue; "Sync Companies From Work Items" (the
...              consumer step) ensures the parts, so several Control Room workers can share the load.
...
...              Credentials: the Vault secret "planhat_api" with "api_key" (and "tenant_uuid" for
...              activities and metrics). Nothing else is configured in the robot.

Library          OperatingSystem
Library          RPA.Robocorp.WorkItems
Library          RPA.Tables
Library          PlanhatLibrary    requests_per_minute=180    max_retries=8

Suite Setup      Authorize Planhat


*** Variables ***
${DEFAULT_CSV}      ${CURDIR}/devdata/companies.csv
${ROWS_PER_ITEM}    5000


*** Tasks ***
Sync Companies From CSV
    [Documentation]    Ensure every company of the CSV (path from the work item, or the default).
    ${csv} =    Get Work Item Variable    csv    default=${DEFAULT_CSV}
    ${result} =    Ensure Entities    companies    ${csv}
    Log    Created ${result}[created], updated ${result}[updated], unchanged ${result}[unchanged]

Split CSV Into Work Items
    [Documentation]    Producer: one output work item per ${ROWS_PER_ITEM} rows, each with its part as a CSV file.
    ${csv} =    Get Work Item Variable    csv    default=${DEFAULT_CSV}
    ${size} =    Get Work Item Variable    rows_per_item    default=${ROWS_PER_ITEM}
    ${table} =    Read Table From CSV    ${csv}    header=${True}
    ${rows}    ${_} =    Get Table Dimensions    ${table}
    FOR    ${start}    IN RANGE    0    ${rows}    ${size}
        ${part} =    Get Table Slice
        ...    ${table}
        ...    start=${start}
        ...    end=${{ None if $start + int($size) >= $rows else $start + int($size) }}
        ${file} =    Set Variable    ${OUTPUT_DIR}/companies-${start}.csv
        Write Table To CSV    ${part}    ${file}    header=${True}
        Create Output Work Item    variables=${{ {"first_row": $start} }}    files=${file}    save=${True}
    END
    Release Input Work Item    DONE

Sync Companies From Work Items
    [Documentation]    Consumer: ensure the companies of each work item's CSV part.
    For Each Input Work Item    Sync One Part


*** Keywords ***
Sync One Part
    [Documentation]    Ensure one part; a Planhat failure releases the item as failed with the reason.
    ${files} =    Get Work Item Files    companies-*.csv    dirname=${OUTPUT_DIR}
    TRY
        ${result} =    Ensure Entities    companies    ${files}[0]
        Log    Part ${files}[0]: created ${result}[created], updated ${result}[updated]
        Release Input Work Item    DONE
    EXCEPT    AS    ${error}
        Release Input Work Item    FAILED    exception_type=APPLICATION    message=${error}
    END
