*** Settings ***
Documentation     Fault matrix, part 1: single-object writes. Each case: inject the fault, run the write,
...               check the outcome and that the
...               simulator holds exactly what it should (nothing lost, nothing duplicated). See faultmatrix.py.

Library           PlanhatLibrary    timeout=0.5    max_retries=3    retry_budget=20
Library           PlanhatLibrary.Simulator
Library           faultmatrix.py

Suite Setup       Start Matrix Simulator
Suite Teardown    Stop All Planhat Simulators
Test Template     Write Under Fault


*** Test Cases ***    WRITE    FAULT
Create Entity / 429 with Retry-After
    Create Entity    429 with Retry-After
Create Entity / 429 without Retry-After
    Create Entity    429 without Retry-After
Create Entity / 500
    Create Entity    500
Create Entity / 502
    Create Entity    502
Create Entity / 503
    Create Entity    503
Create Entity / 504
    Create Entity    504
Create Entity / dropped connection
    Create Entity    dropped connection
Create Entity / answer lost
    Create Entity    answer lost
Create Entity / slow answer
    Create Entity    slow answer
Create Entity / key rotated
    Create Entity    key rotated
Update Entity / 429 with Retry-After
    Update Entity    429 with Retry-After
Update Entity / 429 without Retry-After
    Update Entity    429 without Retry-After
Update Entity / 500
    Update Entity    500
Update Entity / 502
    Update Entity    502
Update Entity / 503
    Update Entity    503
Update Entity / 504
    Update Entity    504
Update Entity / dropped connection
    Update Entity    dropped connection
Update Entity / answer lost
    Update Entity    answer lost
Update Entity / slow answer
    Update Entity    slow answer
Update Entity / key rotated
    Update Entity    key rotated
Delete Entity / 429 with Retry-After
    Delete Entity    429 with Retry-After
Delete Entity / 429 without Retry-After
    Delete Entity    429 without Retry-After
Delete Entity / 500
    Delete Entity    500
Delete Entity / 502
    Delete Entity    502
Delete Entity / 503
    Delete Entity    503
Delete Entity / 504
    Delete Entity    504
Delete Entity / dropped connection
    Delete Entity    dropped connection
Delete Entity / answer lost
    Delete Entity    answer lost
Delete Entity / slow answer
    Delete Entity    slow answer
Delete Entity / key rotated
    Delete Entity    key rotated
Ensure Entity / 429 with Retry-After
    Ensure Entity    429 with Retry-After
Ensure Entity / 429 without Retry-After
    Ensure Entity    429 without Retry-After
Ensure Entity / 500
    Ensure Entity    500
Ensure Entity / 502
    Ensure Entity    502
Ensure Entity / 503
    Ensure Entity    503
Ensure Entity / 504
    Ensure Entity    504
Ensure Entity / dropped connection
    Ensure Entity    dropped connection
Ensure Entity / answer lost
    Ensure Entity    answer lost
Ensure Entity / slow answer
    Ensure Entity    slow answer
Ensure Entity / key rotated
    Ensure Entity    key rotated


*** Keywords ***
Start Matrix Simulator
    [Documentation]    A simulator with its own secrets file, and the library authorized against it.
    Start Planhat Simulator    secrets_file=${OUTPUT_DIR}/${SUITE NAME}-secrets.json
    Authorize Planhat
