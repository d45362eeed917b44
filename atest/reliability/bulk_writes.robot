*** Settings ***
Documentation     Fault matrix, part 2: bulk writes, activities and metrics. Each case: inject the fault,
...               run the write, check the outcome and that the
...               simulator holds exactly what it should (nothing lost, nothing duplicated). See faultmatrix.py.

Library           PlanhatLibrary    timeout=0.5    max_retries=3    retry_budget=20
Library           PlanhatLibrary.Simulator
Library           faultmatrix.py

Suite Setup       Start Matrix Simulator
Suite Teardown    Stop All Planhat Simulators
Test Template     Write Under Fault


*** Test Cases ***    WRITE    FAULT
Ensure Entities / 429 with Retry-After
    Ensure Entities    429 with Retry-After
Ensure Entities / 429 without Retry-After
    Ensure Entities    429 without Retry-After
Ensure Entities / 500
    Ensure Entities    500
Ensure Entities / 502
    Ensure Entities    502
Ensure Entities / 503
    Ensure Entities    503
Ensure Entities / 504
    Ensure Entities    504
Ensure Entities / dropped connection
    Ensure Entities    dropped connection
Ensure Entities / answer lost
    Ensure Entities    answer lost
Ensure Entities / slow answer
    Ensure Entities    slow answer
Ensure Entities / key rotated
    Ensure Entities    key rotated
Bulk Upsert Entities / 429 with Retry-After
    Bulk Upsert Entities    429 with Retry-After
Bulk Upsert Entities / 429 without Retry-After
    Bulk Upsert Entities    429 without Retry-After
Bulk Upsert Entities / 500
    Bulk Upsert Entities    500
Bulk Upsert Entities / 502
    Bulk Upsert Entities    502
Bulk Upsert Entities / 503
    Bulk Upsert Entities    503
Bulk Upsert Entities / 504
    Bulk Upsert Entities    504
Bulk Upsert Entities / dropped connection
    Bulk Upsert Entities    dropped connection
Bulk Upsert Entities / answer lost
    Bulk Upsert Entities    answer lost
Bulk Upsert Entities / slow answer
    Bulk Upsert Entities    slow answer
Bulk Upsert Entities / key rotated
    Bulk Upsert Entities    key rotated
Create Bulk Activities / 429 with Retry-After
    Create Bulk Activities    429 with Retry-After
Create Bulk Activities / 429 without Retry-After
    Create Bulk Activities    429 without Retry-After
Create Bulk Activities / 500
    Create Bulk Activities    500
Create Bulk Activities / 502
    Create Bulk Activities    502
Create Bulk Activities / 503
    Create Bulk Activities    503
Create Bulk Activities / 504
    Create Bulk Activities    504
Create Bulk Activities / dropped connection
    Create Bulk Activities    dropped connection
Create Bulk Activities / answer lost
    Create Bulk Activities    answer lost
Create Bulk Activities / slow answer
    Create Bulk Activities    slow answer
Create Bulk Activities / key rotated
    Create Bulk Activities    key rotated
Push Metrics / 429 with Retry-After
    Push Metrics    429 with Retry-After
Push Metrics / 429 without Retry-After
    Push Metrics    429 without Retry-After
Push Metrics / 500
    Push Metrics    500
Push Metrics / 502
    Push Metrics    502
Push Metrics / 503
    Push Metrics    503
Push Metrics / 504
    Push Metrics    504
Push Metrics / dropped connection
    Push Metrics    dropped connection
Push Metrics / answer lost
    Push Metrics    answer lost
Push Metrics / slow answer
    Push Metrics    slow answer
Push Metrics / key rotated
    Push Metrics    key rotated


*** Keywords ***
Start Matrix Simulator
    [Documentation]    A simulator with its own secrets file, and the library authorized against it.
    Start Planhat Simulator    secrets_file=${OUTPUT_DIR}/${SUITE NAME}-secrets.json
    Authorize Planhat
