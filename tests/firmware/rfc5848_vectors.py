# RFC 5848 test vectors from shared/specs/rfc5848-signed-syslog.md §12 (generated
# there with an independent reference generator). TEST-ONLY key, published in
# that document: never deploy it.

KEY_P = int(
    "892c9b8b01e8433e39fc454ee676307da0306cee0452cee02ef3c7692ac9e105"
    "f99c0239b15b1fef8565ab26b4425dd187193dc305a27128bf5146fe2bdd2858"
    "29a83c39b6c3fd8a3e4649c24f1aaaee17c663dfa044ff1f3586fc3134316d22"
    "531506cfeacfbc7f084adc31dd36a124f529f772c82241c3550786eb6636f75f"
    "da803ac028ef89cc277ed752b23eb53f84a284497ee3af090bcf7a761e40a0d3"
    "8fc6aecd9ffbf8bba7d30ac541b8ba5c2e9d98973d334838a4e0e5d1cb349df5"
    "e302cbeafac4e02c280aa8e88f886d3b16b1256122218a26216d04a02e4d1e20"
    "005c524f65437b4765d58345f62f376ba8003163a4a859ecba0069e2e1a552f1", 16)
KEY_Q = int(
    "9a7da824047bde77b432004140e31043959a768fbbd52a3f8927fb3dc1c07a5f", 16)
KEY_G = int(
    "6932dc9f8a26c7f370a90b83b6723dc0d3bf843ba5d81e8e12ca288558353839"
    "f6deca6d6f76e97f5045459d97ccd2ecb630d2ebee3b35fb2b230d377ed0b491"
    "7340fa36fd4ac0b57efdeec3bf13ac9a967f8eb9f9291f54ffab5443e8c4ee6a"
    "0e5a2f12fad52d427190a7e64a3ddcca60bd15a711fed7b9854f711896a20872"
    "00aef5958d8993937ed6c156bdcb74dd2c3c39830d79d2808c7ffdc2069795c1"
    "cab1179790ca598b6706044c872f54ef435b32b2e3a066275910b1d0eb49340e"
    "15a5ad9a244b73d7a771d81c3053e8f7702d5705e2a0204a904bf4ceaa0c66de"
    "0e6065fc518765f7f86d6cbff23cb90119f188697d8b8828435ad10e063fd47f", 16)
KEY_Y = int(
    "1b79539a59a8fc924c4f37ba41460784ecdede22ae67ac58ab45a5fc21bb4791"
    "37edd8dec06372e3e98e3e1fef25008c22f3ccce13a1ac62d8f0cba579cb459d"
    "3ffecabb8a9dac6738e9a053850782b2d129abf5234e4852068aafa6eaac1d4f"
    "20e972d9bbe3e624d0b5ae83cba448176e653756f0f8ee70ea4592333e35937e"
    "0f64e301d49787e31459fcd3f4419c8877a9a6ad1c8c9a7f98abce9412b1b8bd"
    "bc98c8492ca0ca268426a2b1057f689768b948ad4d736a3ac4453e5201e64e3b"
    "b0e0ef5f1927bbc4be05a3e7f5e18a9579ae68664bb2a0b1c198427669352114"
    "1600f63d39839ea4a6e132026ffcc7fe9330d0b9fddfd25b60894430ca601b68", 16)
KEY_X = int(
    "3e91d17455d01dcf428b3966ac173bfec95b9e022dc3c4a0598f76bc6c458c11", 16)
M1 = (
    b'<54>1 2025-03-14T09:26:53.589793Z printer.example.com - - - [PWG NL="en-US" DUU="urn:uuid:'
    b'b52a247b-c2de-4224-803c-ccf67ded7c84" E="SystemRestarted" IAJ="T" ST="Idle" SR="" SUU="urn'
    b':uuid:21c85055-f117-3781-4029-efb0ebcd9954" URI="ipp://printer.example.com/ipp"] \xef\xbb\xbfSystem'
    b' restarted.'
)
M2 = (
    b'<54>1 2025-03-14T09:27:01.000002Z printer.example.com - - - [PWG NL="de-DE" DUU="urn:uuid:'
    b'b52a247b-c2de-4224-803c-ccf67ded7c84" E="PrintJobCreated" S="SuccessfulOk" UH="client.exam'
    b'ple.com" UN="J\xc3\xbcrgen \\"JM\\" M\xc3\xbcller" UR="User" URI="ipp://printer.example.com/ipp" UU="mai'
    b'lto:jm@example.com" JID="123" JUU="urn:uuid:70fe0e41-1e92-3189-6dbe-bb459dc93296" JS="Pend'
    b'ing"] \xef\xbb\xbfAuftrag 123 angelegt, 42 Seiten [A4].'
)
M3 = (
    b'<52>1 2025-03-14T09:27:30.5+01:00 printer.example.com - - - [PWG NL="en-US" DUU="urn:uuid:'
    b'b52a247b-c2de-4224-803c-ccf67ded7c84" E="PrintStateChanged" IAJ="T" ST="Processing" SR="Me'
    b'diaEmptyWarning" SUU="urn:uuid:21c85055-f117-3781-4029-efb0ebcd9954" URI="ipp://printer.ex'
    b'ample.com/ipp"] \xef\xbb\xbfThe printer is out of paper.'
)
PROFILE_A_CB = (
    b'<110>1 2025-03-14T09:26:50.100000Z printer.example.com hcdaudit - - [ssign-cert VER="0121"'
    b' RSID="1" SG="0" SPRI="110" TPBL="1110" INDEX="1" FLEN="1110" FRAG="2025-03-14T09:26:50.00'
    b'0000Z K CACJLJuLAehDPjn8RU7mdjB9oDBs7gRSzuAu88dpKsnhBfmcAjmxWx/vhWWrJrRCXdGHGT3DBaJxKL9RRv'
    b'4r3ShYKag8ObbD/Yo+RknCTxqq7hfGY9+gRP8fNYb8MTQxbSJTFQbP6s+8fwhK3DHdNqEk9Sn3csgiQcNVB4brZjb3'
    b'X9qAOsAo74nMJ37XUrI+tT+EooRJfuOvCQvPenYeQKDTj8auzZ/7+Lun0wrFQbi6XC6dmJc9M0g4pODl0cs0nfXjAs'
    b'vq+sTgLCgKqOiPiG07FrElYSIhiiYhbQSgLk0eIABcUk9lQ3tHZdWDRfYvN2uoADFjpKhZ7LoAaeLhpVLxAQCafagk'
    b'BHved7QyAEFA4xBDlZp2j7vVKj+JJ/s9wcB6Xwf/aTLcn4omx/NwqQuDtnI9wNO/hDul2B6OEsoohVg1ODn23sptb3'
    b'bpf1BFRZ2XzNLstjDS6+47NfsrIw03ftC0kXNA+jb9SsC1fv3uw78TrJqWf465+SkfVP+rVEPoxO5qDlovEvrVLUJx'
    b'kKfmSj3cymC9FacR/te5hU9xGJaiCHIArvWVjYmTk37WwVa9y3TdLDw5gw150oCMf/3CBpeVwcqxF5eQylmLZwYETI'
    b'cvVO9DWzKy46BmJ1kQsdDrSTQOFaWtmiRLc9encdgcMFPo93AtVwXioCBKkEv0zqoMZt4OYGX8UYdl9/htbL/yPLkB'
    b'GfGIaX2LiChDWtEOBj/Ufwf9G3lTmlmo/JJMTze6QUYHhOze3iKuZ6xYq0Wl/CG7R5E37djewGNy4+mOPh/vJQCMIv'
    b'PMzhOhrGLY8MulectFnT/+yruKnaxnOOmgU4UHgrLRKav1I05IUgaKr6bqrB1PIOly2bvj5iTQta6Dy6RIF25lN1bw'
    b'+O5w6kWSMz41k34PZOMB1JeH4xRZ/NP0QZyId6mmrRyMmn+Yq86UErG4vbyYyEksoMomhCaisQV/aJdouUitTXNqOs'
    b'RFPlIB5k47sODvXxknu8S+BaPn9eGKlXmuaGZLsqCxwZhCdmk1IRQWAPY9OYOepKbhMgJv/Mf+kzDQuf3f0ltgiUQw'
    b'ymAbaA==" SIGN="AP0QmnPgifafsM3sEy3PyijZoUdg9rc7OQdlvqP/nKgcDgD/cgYqy/z0an3h9lGwMkjPW2isNX'
    b'mrUZeB18yj77RZI1c="]'
)
PROFILE_A_SB = (
    b'<110>1 2025-03-14T09:27:31.000000Z printer.example.com hcdaudit - - [ssign VER="0121" RSID'
    b'="1" SG="0" SPRI="110" GBC="0" FMN="1" CNT="3" HB="C4xUkMSBC8OdJ43PraawVXWK28Qy6/iba0wwak9'
    b'rTHA= 8zJWCX/5aUivucInNW+TxHcfzomhfa8D7Qn4uO1j+p8= GRmpqTpsC4p23jG8nCBksUsLOLVUOQl9mc+klNp'
    b'QSvI=" SIGN="AQCFHOJW4hIh72t+6+y+aTp6kqLHFD+waB5lfSJti31asAD+NoyAjK96LcjGTQmL5pqAu+7i998co'
    b'rvp+BEXYZeVEi8="]'
)
PROFILE_N_CB = (
    b'<110>1 2025-03-14T09:27:31.000123+00:00 printer.example.com syslogd 2138 - [ssign-cert VER'
    b'="0111" RSID="1741944410" SG="0" SPRI="0" TBPL="1159" INDEX="1" FLEN="1159" FRAG="2025-03-'
    b'14T09:27:31.000101+00:00 K MIIDRjCCAjkGByqGSM44BAEwggIsAoIBAQCJLJuLAehDPjn8RU7mdjB9oDBs7gR'
    b'SzuAu88dpKsnhBfmcAjmxWx/vhWWrJrRCXdGHGT3DBaJxKL9RRv4r3ShYKag8ObbD/Yo+RknCTxqq7hfGY9+gRP8fN'
    b'Yb8MTQxbSJTFQbP6s+8fwhK3DHdNqEk9Sn3csgiQcNVB4brZjb3X9qAOsAo74nMJ37XUrI+tT+EooRJfuOvCQvPenY'
    b'eQKDTj8auzZ/7+Lun0wrFQbi6XC6dmJc9M0g4pODl0cs0nfXjAsvq+sTgLCgKqOiPiG07FrElYSIhiiYhbQSgLk0eI'
    b'ABcUk9lQ3tHZdWDRfYvN2uoADFjpKhZ7LoAaeLhpVLxAiEAmn2oJAR73ne0MgBBQOMQQ5Wado+71So/iSf7PcHAel8'
    b'CggEAaTLcn4omx/NwqQuDtnI9wNO/hDul2B6OEsoohVg1ODn23sptb3bpf1BFRZ2XzNLstjDS6+47NfsrIw03ftC0k'
    b'XNA+jb9SsC1fv3uw78TrJqWf465+SkfVP+rVEPoxO5qDlovEvrVLUJxkKfmSj3cymC9FacR/te5hU9xGJaiCHIArvW'
    b'VjYmTk37WwVa9y3TdLDw5gw150oCMf/3CBpeVwcqxF5eQylmLZwYETIcvVO9DWzKy46BmJ1kQsdDrSTQOFaWtmiRLc'
    b'9encdgcMFPo93AtVwXioCBKkEv0zqoMZt4OYGX8UYdl9/htbL/yPLkBGfGIaX2LiChDWtEOBj/UfwOCAQUAAoIBABt'
    b'5U5pZqPySTE83ukFGB4Ts3t4irmesWKtFpfwhu0eRN+3Y3sBjcuPpjj4f7yUAjCLzzM4Toaxi2PDLpXnLRZ0//sq7i'
    b'p2sZzjpoFOFB4Ky0Smr9SNOSFIGiq+m6qwdTyDpctm74+Yk0LWug8ukSBduZTdW8PjucOpFkjM+NZN+D2TjAdSXh+M'
    b'UWfzT9EGciHeppq0cjJp/mKvOlBKxuL28mMhJLKDKJoQmorEFf2iXaLlIrU1zajrERT5SAeZOO7Dg718ZJ7vEvgWj5'
    b'/XhipV5rmhmS7KgscGYQnZpNSEUFgD2PTmDnqSm4TICb/zH/pMw0Ln939JbYIlEMMpgG2g=" SIGN="MEQCIBJTl99'
    b'KULA7/vmK3ZJBB5hT8GQrzUo/b5hFJK0a3t7TAiALdq7oDE4+MBTVL6kiNPo1ctNOyHmRxCbjsxTaLBg5MA=="]'
)
PROFILE_N_SB = (
    b'<110>1 2025-03-14T09:27:31.000456+00:00 printer.example.com syslogd 2138 - [ssign VER="011'
    b'1" RSID="1741944410" SG="0" SPRI="0" GBC="2" FMN="1" CNT="3" HB="d9HhHsrLU7jTZYuErVls98vT9'
    b'rQ= td7qnqLpTxE09ZXJDgaYBPxfrig= X4wedzDSMNjieXUwsxFevuCbhpU=" SIGN="MEQCIHVB+ouV85TGHmKPa'
    b'JWZPwtc1xvuz1Zl3MUCqxQJdQe1AiA+IMJAIvpnbDrx0c+LCBtioksgXR1ucJ4JS6sQGVHeqg=="]'
)
FRAG_SIGNS = (b'AP9t5V6D+bZAGoVK4SYn79JFsTIHhQKs6m/FwNihcK4mIAD8DwILfDB6dy+zRnszPJVKnyqEfLVeDDBpBz6TMxAKjZk=',
              b'AP9L2YAndaTA1qIZrZ6CwnFLhic9+9Vp6QEBvGixHZ3MDQD9GsRIHzHUNzyWlEWg0+w9ewD4qirZLQrZVL9BiohbKAY=')
