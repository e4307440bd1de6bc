# Run by the board at every start (deployed as /flash/main.py): the audit firmware.
from boards.common import app
from boards.stm32 import board

app.run(board)
