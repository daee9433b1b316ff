from rippledesk.cli import main

main()
