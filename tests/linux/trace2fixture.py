#!/usr/bin/env python3
"""Turn a QEMU 7.2 `-trace 'gicv3_*'` log of a Linux boot into the compact
replay fixture read by tests/linux/test_linux_replay.c.

Fixture lines (all numbers hex, no 0x):
  smp N                      number of vCPUs the trace was taken with
  d OFF VAL SIZE             guest write to GICD (offset in the 64 KiB frame)
  r CPU OFF VAL SIZE         guest write to CPU's redistributor (RD_base+SGI_base)
  i OFF VAL SIZE             guest write to an ITS register (not CWRITER)
  c IDX W0 W1 W2 W3          ITS command re-encoded from QEMU's decoded trace,
                             at command-queue slot IDX (byte offset IDX*32)
  w VAL SIZE                 a GITS_CWRITER write (QEMU processed the c lines
                             before it when the guest made this write)
  m DEVID EVENT CPU INTID    an MSI and where QEMU delivered it (CPU and
                             INTID '-' when QEMU's translation failed)

The command queue's bytes are not in the trace; QEMU's decoded fields are
enough to re-encode every command except two fields the trace omits:
INVALL's ICID (Linux sends INVALL right after MAPC of the same collection,
so the last MAPC's ICID is used) and SYNC's target (0: SYNC has no visible
effect on an emulated ITS).
"""
import re
import sys

ITS_BASE_NUM = {
    "MOVI": 0x01, "INT": 0x03, "CLEAR": 0x04, "SYNC": 0x05, "MAPD": 0x08,
    "MAPC": 0x09, "MAPTI": 0x0a, "MAPI": 0x0b, "INV": 0x0c, "INVALL": 0x0d,
    "MOVALL": 0x0e, "DISCARD": 0x0f,
}
KV = re.compile(r"([A-Za-z_]+) (0x[0-9a-fA-F]+|[0-9]+)")


def fields(line):
    return {k: int(v, 0) for k, v in KV.findall(line)}


def encode(name, f, last_icid):
    n = ITS_BASE_NUM[name]
    dev, ev = f.get("DeviceID", 0), f.get("EventID", 0)
    w = [n | dev << 32, 0, 0, 0]
    if name == "MAPD":
        w[1] = f["Size"]
        w[2] = f["V"] << 63 | f["ITT_addr"] << 8
    elif name == "MAPC":
        w[2] = f["V"] << 63 | f["RDbase"] << 16 | f["ICID"]
    elif name == "MAPTI":
        w[1] = ev | f["pINTID"] << 32
        w[2] = f["ICID"]
    elif name in ("MAPI", "MOVI"):
        w[1] = ev
        w[2] = f["ICID"]
    elif name in ("INT", "CLEAR", "INV", "DISCARD"):
        w[1] = ev
    elif name == "INVALL":
        w[2] = last_icid
    elif name == "MOVALL":
        w[2] = f.get("RDbase1", f.get("RDbase", 0)) << 16
        w[3] = f.get("RDbase2", 0) << 16
    return w


def main():
    args = sys.argv[1:]
    smp = 2
    if args[:1] == ["--smp"]:
        smp = int(args[1])
        args = args[2:]
    out = ["# Linux 6.1 (Debian) ITS driver programming, from QEMU 7.2's GICv3 trace",
           "# (tests/linux/capture.sh; format in tests/linux/trace2fixture.py)",
           "smp %x" % smp]
    cmds = []
    idx = None
    last_icid = 0
    msi = None          # [dev, ev, cpu, intid, reads seen, translated]
    ncmd = nmsi = 0

    def flush_cmds():
        # QEMU traces an ITS register write after handling it, so the
        # commands a write made it process come before its trace line.
        nonlocal cmds
        out.extend(cmds)
        cmds = []

    def flush_msi():
        nonlocal msi
        if msi is not None:
            dev, ev, cpu, intid, _, ok = msi
            if not ok or cpu is None or intid is None:
                out.append("m %x %x - -" % (dev, ev))
            else:
                out.append("m %x %x %x %x" % (dev, ev, cpu, intid))
        msi = None

    with open(args[0], errors="replace") as fh:
        for line in fh:
            ev_name = line.split(" ", 1)[0]
            # Keep processing-related lines attached to their CWRITER write.
            if ev_name == "gicv3_its_process_command":
                # Table reads from here on belong to the command, not to
                # an MSI translated just before it.
                flush_msi()
                m = re.search(r"offset (0x[0-9a-f]+): (0x[0-9a-f]+)", line)
                idx = int(m.group(1), 16)
                continue
            if ev_name.startswith("gicv3_its_cmd_"):
                name = line.split("command ", 1)[1].split()[0]
                if name not in ITS_BASE_NUM:
                    print("skipping command %s" % name, file=sys.stderr)
                    continue
                f = fields(line)
                if name == "MAPC":
                    last_icid = f["ICID"]
                w = encode(name, f, last_icid)
                cmds.append("c %x %s" % (idx, " ".join("%x" % x for x in w)))
                ncmd += 1
                continue
            if ev_name in ("gicv3_its_dte_read", "gicv3_its_ite_read",
                           "gicv3_its_cte_read", "gicv3_its_dte_write",
                           "gicv3_its_ite_write", "gicv3_its_cte_write"):
                # The first DTE, ITE and CTE read after a TRANSLATER write
                # are that MSI's translation.
                if msi is not None and ev_name not in msi[4]:
                    msi[4].add(ev_name)
                    f = fields(line)
                    ok = f.get("valid", 0) == 1
                    if ev_name == "gicv3_its_ite_read":
                        msi[3] = f["intid"] if ok else None
                    elif ev_name == "gicv3_its_cte_read":
                        msi[2] = f["RDBase"] if ok else None
                    if not ok:
                        msi[5] = False
                continue
            if ev_name in ("gicv3_dist_write", "gicv3_redist_write",
                           "gicv3_its_write", "gicv3_its_translation_write"):
                flush_msi()
                flush_cmds()
                f = fields(line)
                if ev_name == "gicv3_dist_write":
                    out.append("d %x %x %x" % (f["offset"], f["data"], f["size"]))
                elif ev_name == "gicv3_redist_write":
                    cpu = int(re.search(r"redistributor (0x[0-9a-f]+)", line).group(1), 16)
                    out.append("r %x %x %x %x" % (cpu, f["offset"], f["data"], f["size"]))
                elif ev_name == "gicv3_its_write":
                    if f["offset"] == 0x88:
                        out.append("w %x %x" % (f["data"], f["size"]))
                    else:
                        out.append("i %x %x %x" % (f["offset"], f["data"], f["size"]))
                else:
                    msi = [f["requester_id"], f["data"], None, None, set(), True]
                    nmsi += 1
                continue
        flush_msi()
        flush_cmds()
    out.insert(2, "# %d commands, %d MSIs" % (ncmd, nmsi))
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
