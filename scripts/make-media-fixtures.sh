#!/bin/sh
# Makes the media test fixtures in fixtures/media/ (committed; rerun only to change them) with
# the real tools: ImageMagick, exiftool and ffmpeg
# (apt-get install imagemagick libimage-exiftool-perl ffmpeg).
#
# upright.png is 40×60 with a red block at the top left. oN.jpg holds the same picture stored
# so that EXIF orientation N turns it upright, with a GPS position (Shanghai) that tern must
# remove. bomb.png claims 20000×20000 pixels in 50 KB. The rest covers each supported format.
set -eu
cd "$(dirname "$0")/../fixtures/media"
IM=/usr/bin/convert
$IM -size 40x60 xc:white -fill red -draw "rectangle 0,0 19,19" upright.png
inverse() {
    case $1 in
        1) echo "" ;; 2) echo "-flop" ;; 3) echo "-rotate 180" ;; 4) echo "-flip" ;;
        5) echo "-transpose" ;; 6) echo "-rotate 270" ;; 7) echo "-transverse" ;; 8) echo "-rotate 90" ;;
    esac
}
for n in 1 2 3 4 5 6 7 8; do
    # shellcheck disable=SC2046
    $IM upright.png $(inverse $n) -quality 95 "o$n.jpg"
    exiftool -q -overwrite_original -Orientation#=$n -GPSLatitude=31.2304 -GPSLatitudeRef=N \
        -GPSLongitude=121.4737 -GPSLongitudeRef=E -Make=TernPhone "o$n.jpg"
done
$IM -size 2000x1500 gradient:navy-orange -quality 85 large.jpg
$IM -size 64x64 xc:none -fill "#1e90ff" -draw "circle 32,32 32,8" transparent.png
exiftool -q -overwrite_original -GPSLatitude=31.2304 -GPSLatitudeRef=N transparent.png
$IM -delay 20 -size 32x32 xc:red xc:green xc:blue -loop 0 animated.gif
$IM -size 48x32 xc:green still.webp
ffmpeg -v error -y -f lavfi -i "sine=frequency=440:duration=1" -c:a libopus voice.ogg
ffmpeg -v error -y -f lavfi -i "testsrc=size=64x48:rate=10:duration=1" -pix_fmt yuv420p -c:v libvpx -b:v 50k clip.webm
printf '<!DOCTYPE html><html><script>document.title="pwned"</script></html>\n' > html-named.png
printf '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>\n' > drawing.svg
python3 - <<'PY'
import struct, zlib
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
w = h = 20000
row = b"\0" + b"\0" * (w // 8)
body = zlib.compress(row * h, 9)
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 1, 0, 0, 0, 0)) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
open("bomb.png", "wb").write(png)
PY
ls -la
