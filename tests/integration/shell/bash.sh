# A bash script running Debian's dynamic i386 coreutils, grep, sed, tar,
# findutils, diffutils, gawk and perl through PATH (each exec'd program
# resolved in the sysroot and run under the same emulator).
set -e
echo "bash $BASH_VERSION"
x=$(printf '%s\n' c b a | sort | tr '\n' ' '); echo "sorted: $x"
declare -A m; m[a]=1; m[b]=2; echo "assoc ${m[a]} ${m[b]} ${#m[@]}"
arr=(one two three); echo "${arr[@]:1}" "${#arr[@]}"
for i in {1..5}; do s=$((s+i)); done; echo "sum $s"
seq 1 2000 > nums; echo "lines $(wc -l < nums)"; grep -c 7 nums
sed -n '5,7p' nums | paste -sd+
ls -la nums | gawk '{print $5, $NF}'
cp nums nums2; cmp nums nums2 && echo same; mv nums2 nums3; rm nums3
mkdir -p d/e; touch d/e/f; find d | sort; tar cf d.tar d; tar tf d.tar | sort; rm -r d d.tar
gawk 'BEGIN { printf "%.10f %d\n", atan2(1,1)*4, 2^40 }'
perl -e 'my %h = map { $_ => $_ ** 2 } 1..10; print join(",", map { $h{$_} } sort { $a <=> $b } keys %h), "\n"; printf("%.6f\n", sqrt(2)); print scalar(gmtime(0)), "\n"'
echo "date: $(date -u -d @1234567890 '+%Y-%m-%d %H:%M:%S')"
diff <(echo a; echo b) <(echo a; echo c) || echo "diff rc $?"
stat -c '%s %F' nums; env | grep -c PATH
(exit 5) || echo "subshell status $?"
echo done
