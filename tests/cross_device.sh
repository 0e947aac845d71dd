#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Cross-device comparison: a fixed list of clresample calls (interpolate in
# every mode, antialias included; every pooling operator; f32, f16, u8,
# f64) run on two OpenCL devices, outputs compared: byte for byte where the
# result is exact on any device (nearest modes, max pooling and its indices,
# unpooling, shuffles, every uint8 output), within a tolerance elsewhere
# (the compilers may contract or reorder float arithmetic differently).
#
# usage: tests/cross_device.sh DEVICE_A DEVICE_B [CLRESAMPLE]
#   e.g. tests/cross_device.sh 'Portable:CPU:' 'Intel:CPU:' ./clresample
# Needs python3 (standard library only). Prints one 'ok' / 'not ok' line per
# call and closes with 'N passed, N failed'; exit status 1 on any failure.
set -u
A=${1:?device A}
B=${2:?device B}
CLI=${3:-./clresample}
tmp=$(mktemp -d /tmp/clrs-xdev.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# inputs: fixed pseudo-random data, one file per (shape, dtype)
python3 - "$tmp" <<'EOF' || exit 1
import random, struct, sys
d = sys.argv[1]
def save(name, shape, dt, vals):
    descr = {'f4': '<f4', 'f8': '<f8', 'f2': '<f2', 'u1': '|u1'}[dt]
    hdr = "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }" % (
        descr, ''.join('%d, ' % s for s in shape) if len(shape) == 1 else ', '.join(map(str, shape)))
    hdr += ' ' * ((64 - (10 + len(hdr) + 1) % 64) % 64) + '\n'
    fmt = {'f4': 'f', 'f8': 'd', 'f2': 'e', 'u1': 'B'}[dt]
    with open('%s/%s.npy' % (d, name), 'wb') as f:
        f.write(b'\x93NUMPY\x01\x00' + struct.pack('<H', len(hdr)) + hdr.encode('latin1'))
        f.write(struct.pack('<%d%s' % (len(vals), fmt), *vals))
r = random.Random(20261206)
shapes = {'1d': (2, 3, 41), '2d': (2, 3, 19, 23), '3d': (1, 2, 6, 7, 9), 'ps': (1, 8, 6, 10)}
for tag, shape in shapes.items():
    n = 1
    for s in shape: n *= s
    fl = [round(r.uniform(-4, 4), 3) for _ in range(n)]
    for dt in ('f4', 'f8', 'f2'):
        save('%s_%s' % (tag, dt), shape, dt, fl)
    save('%s_u1' % tag, shape, 'u1', [r.randrange(256) for _ in range(n)])
# a grid for grid-sample on the 2d inputs: (N, Ho, Wo, 2), a little beyond [-1, 1]
gshape = (2, 11, 13, 2)
gv = [round(r.uniform(-1.2, 1.2), 4) for _ in range(2 * 11 * 13 * 2)]
for dt in ('f4', 'f8', 'f2'):
    save('grid_%s' % dt, gshape, dt, gv)
EOF

# "exact|tol NAME INPUT-TAG DTYPES SUBCOMMAND ARGS..." (the dtype list is
# comma-separated; OUT and, with --indices, IDX are filled in).
# backward:OP runs `backward OP IN... GRAD_OUT GRAD_IN`, GRAD_OUT being OP's
# forward output on device A (any values of the right shape).
calls=(
  "exact near2d 2d f4,f2,u1,f8 interpolate --mode nearest --size 31,45"
  "exact nearx2d 2d f4,f2,u1,f8 interpolate --mode nearest-exact --scale 0.6"
  "exact near3d 3d f4,u1 interpolate --mode nearest --size 9,5,13"
  "tol lin1d 1d f4,f2,f8 interpolate --mode linear --size 77"
  "tol lin1dac 1d f4 interpolate --mode linear --size 100 --align-corners"
  "tol bil 2d f4,f2,u1,f8 interpolate --mode bilinear --size 40,50"
  "tol bilx2 2d f4,f2 interpolate --mode bilinear --scale 2"
  "tol bilac 2d f4 interpolate --mode bilinear --size 9,11 --align-corners"
  "tol bilaa 2d f4,f2,u1,f8 interpolate --mode bilinear --size 8,10 --antialias"
  "tol bic 2d f4,f2,u1,f8 interpolate --mode bicubic --size 35,47"
  "tol bicaa 2d f4,u1 interpolate --mode bicubic --size 7,9 --antialias"
  "tol area 2d f4,f2,u1,f8 interpolate --mode area --size 6,8"
  "tol tri 3d f4,f2,f8 interpolate --mode trilinear --size 7,9,4"
  "exact maxp 2d f4,f2,u1,f8 max-pool --kernel 3 --stride 2 --padding 1 --indices"
  "exact maxp1d 1d f4,u1 max-pool --kernel 4 --stride 3 --dilation 2 --ceil-mode --indices"
  "exact maxp3d 3d f4 max-pool --kernel 2 --indices"
  "tol avgp 2d f4,f2,u1,f8 avg-pool --kernel 3 --stride 2 --padding 1 --ceil-mode"
  "tol avgpnc 2d f4 avg-pool --kernel 3 --stride 2 --padding 1 --no-count-include-pad"
  "tol lpp 2d f4,f2,f8 lp-pool --norm-type 2 --kernel 2"
  "tol aavg 2d f4,f2,u1,f8 adaptive-avg-pool --size 5,7"
  "exact amax 2d f4,f2,u1,f8 adaptive-max-pool --size 5,7 --indices"
  "exact fmax 2d f4,f2,u1,f8 fractional-max-pool --kernel 2 --size 8,10 --seed 7 --indices"
  "exact unpool 2d f4,u1 max-unpool --kernel 3 --stride 2 --padding 1"
  "exact shuf ps f4,f2,u1,f8 pixel-shuffle --factor 2"
  "exact unshuf ps f4,u1 pixel-unshuffle --factor 2"
  "exact gsnear 2d f4,f2,f8 grid-sample --mode nearest"
  "tol gsbil 2d f4,f2,f8 grid-sample --mode bilinear --padding-mode border"
  "tol gsbic 2d f4,f8 grid-sample --mode bicubic --padding-mode reflection --align-corners"
  "exact onear 2d f4,u1 onnx:Resize --scales 1,1,2.5,1.5 --mode nearest --nearest_mode round_prefer_ceil --coordinate_transformation_mode asymmetric"
  "tol ocubaa 2d f4,u1 onnx:Resize --scales 1,1,0.6,0.45 --mode cubic --cubic_coeff_a -0.5 --antialias 1"
  "tol ocrop 2d f4,f2 onnx:Resize --sizes 2,3,10,12 --roi 0,0,0.1,-0.2,1,1,0.8,1.1 --mode linear --coordinate_transformation_mode tf_crop_and_resize --extrapolation_value -2"
  "exact omaxp 2d f4 onnx:MaxPool --kernel_shape 3,2 --pads 0,1,2,1 --strides 2,1 --dilations 1,2"
  "tol oavgp 2d f4,f2 onnx:AveragePool --kernel_shape 3,3 --auto_pad SAME_LOWER --strides 2,2 --count_include_pad 1"
  "tol olpp 2d f4 onnx:LpPool --kernel_shape 2,3 --p 3 --pads 1,1,0,1"
  "exact od2s ps f4,u1 onnx:DepthToSpace --blocksize 2 --mode DCR"
  "exact bwunpool 2d f4,f2,f8 backward:max-unpool --kernel 3 --stride 2 --padding 1"
  "exact bwshuf ps f4,f2,f8 backward:pixel-shuffle --factor 2"
  "exact bwunshuf ps f4 backward:pixel-unshuffle --factor 2 --channels-last"
  "exact bwmaxp 2d f4,f8 backward:max-pool --kernel 3 --stride 2 --padding 1"
  "exact bwamax 3d f4 backward:adaptive-max-pool --size 4,3,5"
)

pass=0
fail=0
report() { # ok|not-ok DESCRIPTION
    if [ "$1" = ok ]; then pass=$((pass + 1)); echo "ok - $2"; else fail=$((fail + 1)); echo "not ok - $2"; fi
}

for c in "${calls[@]}"; do
    read -r how name tag dts sub args <<<"$c"
    for dt in ${dts//,/ }; do
        in="$tmp/${tag}_$dt.npy"
        desc="$name $dt: $sub $args"
        extra=()
        bw=${sub#backward:}
        [ "$bw" = "$sub" ] && bw=
        if [ "$sub" = max-unpool ] || [ "$bw" = max-unpool ]; then
            # the indices of one max-pool run (device A), the same for both
            "$CLI" max-pool "$in" "$tmp/up_in.npy" --kernel 3 --stride 2 --padding 1 --indices "$tmp/up_idx.npy" \
                --device "$A" 2>"$tmp/err" || { report not-ok "$desc (max-pool for its input: $(head -c 300 "$tmp/err"))"; continue; }
            in="$tmp/up_in.npy"
            extra=("$tmp/up_idx.npy")
        fi
        if [ -n "$bw" ]; then
            # shellcheck disable=SC2086 # args is a word list
            "$CLI" $bw "$in" "${extra[@]}" "$tmp/gout.npy" $args --device "$A" 2>"$tmp/err" ||
                { report not-ok "$desc ($bw for GRAD_OUT: $(head -c 300 "$tmp/err"))"; continue; }
        fi
        ok=1
        for dev in A B; do
            spec=$A
            [ "$dev" = B ] && spec=$B
            idx=()
            case " $args " in *" --indices "*) idx=("$tmp/idx_$dev.npy") ;; esac
            # shellcheck disable=SC2086 # args is a word list
            if [ -n "$bw" ]; then
                # shellcheck disable=SC2086 # args is a word list
                set -- "$CLI" backward $bw "$in" "${extra[@]}" "$tmp/gout.npy" "$tmp/out_$dev.npy" $args
            elif [ "$sub" != "${sub#onnx:}" ]; then
                # shellcheck disable=SC2086 # args is a word list
                set -- "$CLI" onnx "${sub#onnx:}" "$in" -o "$tmp/out_$dev.npy" $args
            else
                [ "$sub" = grid-sample ] && extra=("$tmp/grid_$dt.npy")
                # shellcheck disable=SC2086 # args is a word list
                set -- "$CLI" $sub "$in" "${extra[@]}" "$tmp/out_$dev.npy" ${args/--indices/} ${idx:+--indices "${idx[0]}"}
            fi
            if ! "$@" --device "$spec" 2>"$tmp/err"; then
                report not-ok "$desc (device $spec: $(head -c 300 "$tmp/err"))"
                ok=0
                break
            fi
        done
        [ "$ok" = 1 ] || continue
        if [ "$how" = exact ] || [ "$dt" = u1 ]; then
            cmp -s "$tmp/out_A.npy" "$tmp/out_B.npy" && msg=identical || msg=differ
        else
            msg=$(python3 - "$tmp/out_A.npy" "$tmp/out_B.npy" "$dt" <<'EOF'
import ast, math, struct, sys
def load(p):
    b = open(p, 'rb').read()
    hl = struct.unpack('<H', b[8:10])[0]
    h = ast.literal_eval(b[10:10 + hl].decode('latin1'))
    fmt = {'<f4': 'f', '<f8': 'd', '<f2': 'e'}[h['descr']]
    n = 1
    for s in h['shape']: n *= s
    return h['shape'], struct.unpack('<%d%s' % (n, fmt), b[10 + hl:])
sa, a = load(sys.argv[1]); sb, b = load(sys.argv[2])
if sa != sb: print('differ: shapes %s vs %s' % (sa, sb)); sys.exit()
# relative to the value: ~4 ulps of f32 / f64, 1 ulp of f16 (a value near a
# rounding boundary may round either way after reordered arithmetic)
rel = {'f4': 4 * 2 ** -23, 'f8': 4 * 2 ** -52, 'f2': 2 ** -10}[sys.argv[3]]
worst, wi, same = 0.0, -1, 0
for i, (x, y) in enumerate(zip(a, b)):
    if x == y or (math.isnan(x) and math.isnan(y)): same += 1; continue
    # a NaN or an infinity on one side only: a difference, however large
    e = abs(x - y) / max(abs(x), abs(y), 1e-3) if math.isfinite(x) and math.isfinite(y) else math.inf
    if e > worst: worst, wi = e, i
if worst <= rel: print('identical' if same == len(a) else 'within tolerance (%d of %d identical, worst relative difference %.3g)' % (same, len(a), worst))
else: print('differ: element %d: %r vs %r (relative %.3g)' % (wi, a[wi], b[wi], worst))
EOF
)
        fi
        if [ "$msg" != "${msg#differ}" ]; then
            report not-ok "$desc: outputs $msg"
        else
            if [ ${#idx[@]} -gt 0 ] && ! cmp -s "$tmp/idx_A.npy" "$tmp/idx_B.npy"; then
                report not-ok "$desc: indices differ"
                continue
            fi
            report ok "$desc: $msg${idx:+, indices identical}"
        fi
    done
done
echo "cross-device ($A vs $B): $pass passed, $fail failed"
[ "$fail" -eq 0 ]
