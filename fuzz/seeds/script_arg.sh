#! /bin/sh  -e  
echo hi
