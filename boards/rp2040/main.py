# Run by the board at every start (deployed as /main.py): the audit firmware.
from boards.common import app
from boards.rp2040 import board

app.run(board)
