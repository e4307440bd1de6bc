# Bringing the board's network interface up, from the settings in
# ROOT/network.json: Wi-Fi station (esp32s3, rp2040 Pico W) or Ethernet
# (stm32 NUCLEO-F767ZI, DHCP unless a static ifconfig is given). Bounded waits:
# a board with no network still audits; its sender retries later.
from boards.common.ticks import sleep_ms, ticks_diff, ticks_ms


def wait_until(check, timeout_s, step_ms=100):
    start = ticks_ms()
    while not check():
        if ticks_diff(ticks_ms(), start) > timeout_s * 1000:
            return False
        sleep_ms(step_ms)
    return True


class WifiStation:
    def connect(self, settings, timeout_s):
        import network
        ssid = settings.get("ssid")
        if not ssid:
            raise OSError("no Wi-Fi network configured (network.json needs \"ssid\" and \"password\")")
        if settings.get("country") and hasattr(network, "country"):
            network.country(settings["country"])
        if settings.get("hostname") and hasattr(network, "hostname"):
            network.hostname(settings["hostname"])
        wlan = network.WLAN(network.STA_IF)
        wlan.active(True)
        if not wlan.isconnected():
            wlan.connect(ssid, settings.get("password", ""))
        if not wait_until(wlan.isconnected, timeout_s):
            raise OSError("Wi-Fi: no connection to %r after %d s (status %s)" % (ssid, timeout_s, wlan.status()))
        return wlan.ifconfig()[0]


class EthernetLan:
    def connect(self, settings, timeout_s):
        import network
        lan = network.LAN()
        lan.active(True)           # starts DHCP on the stm32 port
        if settings.get("ifconfig"):
            lan.ifconfig(tuple(settings["ifconfig"]))
        if not wait_until(lambda: lan.isconnected() and lan.ifconfig()[0] != "0.0.0.0", timeout_s):
            raise OSError("Ethernet: no link or no address after %d s (status %s)" % (timeout_s, lan.status()))
        return lan.ifconfig()[0]
