# A busybox sh script: pipes, redirections, functions, loops, here-documents,
# subshells, command substitution, arithmetic and files.
set -u
count_matching() { grep -c "$1" text; }
echo "lines: $(wc -l < text)"
for d in 1 2 3; do echo "with $d: $(count_matching "word${d}00")"; done
sort -k4 text | head -n 3 | cut -d ' ' -f 1,5
awk '{ s += $1 } END { printf "sum %d\n", s }' text
sed -n '100,103p' text | tr 'a-z' 'A-Z' > upper.txt
cat upper.txt
i=0; while [ $i -lt 5 ]; do i=$((i + 1)); printf '%d ' $((i * i)); done; echo
(cd /; pwd) ; pwd | wc -c >/dev/null
cat <<END > heredoc.txt
value=$((6 * 7))
END
cat heredoc.txt
if grep -q 'value=42' heredoc.txt; then echo found; else echo missing; fi
mkdir -p d/e && echo nested > d/e/f && ls -R d | sort
grep -o 'word[0-9]*' text | sort | uniq -c | sort -rn | head -n 3
md5sum text | cut -c1-32
{ echo one; echo two >&2; } 2>&1 | sort
false || echo "false failed as it should"
echo "status of a failed pipeline: $(false | true; echo $?)"
ln -s heredoc.txt link && readlink link && cat link
rm -r d link
exit 3
