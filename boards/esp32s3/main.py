# Run by the board at every start (deployed as /main.py): the audit firmware.
from boards.common import app
from boards.esp32s3 import board

app.run(board)
