"""lambdad's bootstrap for python3.9 ... python3.13 functions.

lambdad runs `python3 <this file>` in the function's folder with _HANDLER, LAMBDA_TASK_ROOT and
AWS_LAMBDA_RUNTIME_API set; `python3 bootstrap.py module.handler` works too (the handler from the
command line, as with AWS's runtime interface client). Everything is in the lambdad_ric package
beside this file, so that it is byte-compiled once (a script never is).
"""

if __name__ == "__main__":
    from lambdad_ric.main import main

    main()
